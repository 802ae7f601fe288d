import { describe, expect, it } from 'vitest';
import {
  appendChange,
  CHANGE_LOG_LIMIT,
  type ChangeLog,
  changedSince,
  changeLogCheckpointName,
  NEVER,
} from '../../../framework/planner/change-log.js';

const MARCH_10 = '2024-03-10T00:00:00.000Z';
const MARCH_20 = '2024-03-20T00:00:00.000Z';
const MARCH_30 = '2024-03-30T00:00:00.000Z';

function log(...entries: Array<[version: string, changedFrom: string | null]>): ChangeLog {
  return { entries: entries.map(([version, changedFrom]) => ({ version, changedFrom })) };
}

describe('appendChange', () => {
  it('starts a log with the first version, changed from any time', () => {
    expect(appendChange(undefined, null, 'v1', MARCH_10)).toEqual(log(['v1', null]));
    expect(appendChange(undefined, 'v0', 'v1', MARCH_10)).toEqual(log(['v1', null]));
  });

  it('appends a new version with its change instant', () => {
    const first = appendChange(undefined, null, 'v1', null);
    const second = appendChange(first, 'v1', 'v2', MARCH_30);
    expect(second).toEqual(log(['v1', null], ['v2', MARCH_30]));
    expect(appendChange(second, 'v2', 'v3', NEVER)).toEqual(
      log(['v1', null], ['v2', MARCH_30], ['v3', NEVER]),
    );
    // The log it was given is left as it was.
    expect(first).toEqual(log(['v1', null]));
  });

  it('restarts when the log does not end with the previous version', () => {
    const lost = log(['v1', null], ['v2', MARCH_10]);
    expect(appendChange(lost, 'v7', 'v8', MARCH_30)).toEqual(log(['v8', null]));
    expect(appendChange(lost, null, 'v8', MARCH_30)).toEqual(log(['v8', null]));
    expect(appendChange({ entries: [] }, 'v2', 'v3', MARCH_30)).toEqual(log(['v3', null]));
  });

  it('keeps the log as it is when the version did not change', () => {
    const current = log(['v1', null], ['v2', MARCH_10]);
    const same = appendChange(current, 'v2', 'v2', MARCH_30);
    expect(same).toEqual(current);
    // The same entries, so the executor knows there is nothing to save.
    expect(same.entries).toBe(current.entries);
  });

  it(`keeps the last ${CHANGE_LOG_LIMIT} versions`, () => {
    let current = appendChange(undefined, null, 'v0', null);
    for (let i = 1; i <= CHANGE_LOG_LIMIT + 9; i++) {
      current = appendChange(current, `v${i - 1}`, `v${i}`, MARCH_10);
    }
    expect(current.entries).toHaveLength(CHANGE_LOG_LIMIT);
    expect(current.entries[0].version).toBe('v10');
    expect(current.entries.at(-1)).toEqual({ version: `v${CHANGE_LOG_LIMIT + 9}`, changedFrom: MARCH_10 });
  });
});

describe('changedSince', () => {
  const history = log(['v1', null], ['v2', MARCH_30], ['v3', MARCH_10], ['v4', MARCH_20]);

  it('is +Infinity when the reader read the current version', () => {
    expect(changedSince(history, 'v4', 'v4')).toBe(Number.POSITIVE_INFINITY);
    expect(changedSince(undefined, 'v9', 'v9')).toBe(Number.POSITIVE_INFINITY);
  });

  it('is the earliest change instant among the versions after the recorded one', () => {
    expect(changedSince(history, 'v3', 'v4')).toBe(Date.parse(MARCH_20));
    expect(changedSince(history, 'v2', 'v4')).toBe(Date.parse(MARCH_10));
    const ordered = log(['v1', null], ['v2', MARCH_10], ['v3', MARCH_30]);
    expect(changedSince(ordered, 'v1', 'v3')).toBe(Date.parse(MARCH_10));
    expect(changedSince(ordered, 'v2', 'v3')).toBe(Date.parse(MARCH_30));
  });

  it('ignores versions no time-bounded reader can tell apart', () => {
    const withNever = log(['v1', null], ['v2', NEVER], ['v3', MARCH_30], ['v4', NEVER]);
    expect(changedSince(log(['v1', null], ['v2', NEVER]), 'v1', 'v2')).toBe(Number.POSITIVE_INFINITY);
    expect(changedSince(withNever, 'v1', 'v4')).toBe(Date.parse(MARCH_30));
    expect(changedSince(withNever, 'v3', 'v4')).toBe(Number.POSITIVE_INFINITY);
  });

  it('is -Infinity when a version since may differ at any time', () => {
    const restarted = log(['v1', null], ['v2', MARCH_30], ['v3', null], ['v4', MARCH_30]);
    expect(changedSince(restarted, 'v1', 'v4')).toBe(Number.NEGATIVE_INFINITY);
    expect(changedSince(restarted, 'v2', 'v4')).toBe(Number.NEGATIVE_INFINITY);
    expect(changedSince(restarted, 'v3', 'v4')).toBe(Date.parse(MARCH_30));
  });

  it('is -Infinity when the log cannot tell', () => {
    // The recorded version is not in the log (older than the log, or never logged).
    expect(changedSince(history, 'v0', 'v4')).toBe(Number.NEGATIVE_INFINITY);
    // The log does not end with the current version (not written after the last materialization).
    expect(changedSince(history, 'v2', 'v5')).toBe(Number.NEGATIVE_INFINITY);
    expect(changedSince(history, 'v2', 'v3')).toBe(Number.NEGATIVE_INFINITY);
    // No log, or no recorded version.
    expect(changedSince(undefined, 'v2', 'v4')).toBe(Number.NEGATIVE_INFINITY);
    expect(changedSince(history, undefined, 'v4')).toBe(Number.NEGATIVE_INFINITY);
  });

  it('reads the most recent occurrence of a version that came back', () => {
    const back = log(['v1', null], ['v2', MARCH_10], ['v1', MARCH_10], ['v3', MARCH_30]);
    expect(changedSince(back, 'v1', 'v3')).toBe(Date.parse(MARCH_30));
  });
});

describe('changeLogCheckpointName', () => {
  it('names a checkpoint of the asset', () => {
    expect(changeLogCheckpointName('silver_customers')).toBe('asset:silver_customers:~changes');
  });
});
