/**
 * The pages in the top bar, in order. A new page is one entry here and one route in `app.js`.
 * `match` says which routes light the entry up.
 */
export const NAV_ITEMS = [
  { id: 'graph', label: 'Lineage', href: '#/' },
  { id: 'catalog', label: 'Catalog', href: '#/catalog' },
  { id: 'runs', label: 'Runs', href: '#/runs' },
  { id: 'backfills', label: 'Backfills', href: '#/backfills' },
  { id: 'automation', label: 'Automation', href: '#/automation' },
  { id: 'quality', label: 'Data quality', href: '#/quality' },
  { id: 'launch', label: 'Launch', href: '#/launch' },
  { id: 'stream', label: 'Stream', href: '#/stream' },
];
