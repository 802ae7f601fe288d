/** Formatting shared by the pages: times, durations, counts and status labels. */

export const STATUS_LABEL = {
  fresh: 'Fresh',
  stale: 'Stale',
  missing: 'Missing',
  failed: 'Failed',
  running: 'Running',
  overdue: 'Overdue',
};

/** Worst first: what a collapsed group shows for its members. */
export const STATUS_SEVERITY = ['failed', 'running', 'overdue', 'stale', 'missing', 'fresh'];

const numberFormat = new Intl.NumberFormat('en');

export function formatNumber(value) {
  return value === null || value === undefined ? '—' : numberFormat.format(value);
}

/** `0.5 ms`, `850 ms`, `12.3 s`, `4 min 3 s`, `1 h 2 min`. */
export function formatDuration(ms) {
  if (ms === null || ms === undefined || Number.isNaN(ms)) return '—';
  if (ms < 10) return `${Number(ms.toFixed(1))} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 60) return `${minutes} min ${Math.round((ms % 60_000) / 1000)} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/** `just now`, `5 min ago`, `3 h ago`, `2 d ago`; `never` for null. */
export function timeAgo(iso, now = Date.now()) {
  if (!iso) return 'never';
  const seconds = Math.round((now - Date.parse(iso)) / 1000);
  if (seconds < 0) return formatTime(iso);
  if (seconds < 45) return 'just now';
  if (seconds < 3600) return `${Math.max(1, Math.round(seconds / 60))} min ago`;
  if (seconds < 86_400) return `${Math.round(seconds / 3600)} h ago`;
  return `${Math.round(seconds / 86_400)} d ago`;
}

/** Local date and time, to the second. */
export function formatTime(iso) {
  if (!iso) return '—';
  const date = new Date(iso);
  return date.toLocaleString('en-GB', {
    year: 'numeric',
    month: 'short',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
}

export function shortId(id) {
  return id ? id.slice(0, 8) : '';
}

/** Cuts `text` to `max` characters with an ellipsis. */
export function truncate(text, max) {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
