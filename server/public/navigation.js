/**
 * The pages in the top bar, in order. A new page is one entry here and one route in `app.js`.
 * `match` says which routes light the entry up.
 */
export const NAV_ITEMS = [
  { id: 'graph', label: 'Lineage', href: '#/' },
  { id: 'runs', label: 'Runs', href: '#/runs' },
  { id: 'launch', label: 'Launch', href: '#/launch' },
  { id: 'stream', label: 'Stream', href: '#/stream' },
];
