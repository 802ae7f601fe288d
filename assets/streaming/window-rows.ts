import type { ClickEventType } from './click-event.js';

/** Events of one type (and product) in one closed 1-minute tumbling window. */
export interface MinuteWindowRow {
  window_start: string;
  event_type: ClickEventType;
  product_id: number | null;
  events: number;
  value: number;
}

/** Distinct users of one closed 5-minute window (windows start every minute). */
export interface ActiveUsersRow {
  window_start: string;
  window_end: string;
  active_users: number;
  signed_in_users: number;
}

/** A session closed after the inactivity gap. */
export interface SessionRow {
  session_id: string;
  session_start: string;
  session_end: string;
  duration_seconds: number;
  customer_id: number | null;
  anonymous_id: string;
  events: number;
  pages: number;
  product_views: number;
  cart_adds: number;
  purchases: number;
  converted: boolean;
  revenue: number;
}

/** An event that arrived after its window closed. */
export interface LateEventRow {
  shard_id: string;
  sequence_number: string;
  event_id: string;
  event_type: ClickEventType;
  session_id: string;
  customer_id: number | null;
  product_id: number | null;
  event_ts: string;
  arrived_at: string;
  /** The close frontier it missed: windows ending at or before it had closed. */
  frontier: string;
  lateness_seconds: number;
}

/** A record that is not a valid event. */
export interface DeadLetterRow {
  shard_id: string;
  sequence_number: string;
  arrived_at: string;
  reason: string;
  /** The record's first 500 characters (bytes that are not UTF-8 as `\ufffd`). */
  payload: string;
}

/** Accepted events of one type on a day whose windows have all closed. */
export interface StreamDayRow {
  event_type: ClickEventType;
  events: number;
  closed_at_frontier: string;
}

/** What a slice closed or set aside, by table. `day` of each row is its partition. */
export interface WindowOutput {
  minuteWindows: Array<{ day: string; row: MinuteWindowRow }>;
  activeUsers: Array<{ day: string; row: ActiveUsersRow }>;
  sessions: Array<{ day: string; row: SessionRow }>;
  lateEvents: Array<{ day: string; row: LateEventRow }>;
  deadLetters: Array<{ day: string; row: DeadLetterRow }>;
  streamDays: Array<{ day: string; row: StreamDayRow }>;
}

export function emptyOutput(): WindowOutput {
  return {
    minuteWindows: [],
    activeUsers: [],
    sessions: [],
    lateEvents: [],
    deadLetters: [],
    streamDays: [],
  };
}

const dayNames = new Map<number, string>();

/** `YYYY-MM-DD` (UTC) of an instant in ms. */
export function utcDay(ms: number): string {
  // NOTE: called for every event; formatting a date costs more than the rest of the windowing.
  const day = Math.floor(ms / 86_400_000);
  let name = dayNames.get(day);
  if (name === undefined) {
    name = new Date(day * 86_400_000).toISOString().slice(0, 10);
    if (dayNames.size > 10_000) dayNames.clear();
    dayNames.set(day, name);
  }
  return name;
}

/** ISO-8601 UTC text of an instant in ms. */
export function iso(ms: number): string {
  return new Date(ms).toISOString();
}
