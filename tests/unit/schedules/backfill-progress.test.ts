import { describe, expect, test } from 'vitest';
import type { BackfillRecord } from '../../../framework/index.js';
import { BackfillProgress } from '../../../schedules/index.js';

const backfill: BackfillRecord = {
  id: '1a2b3c4d-0000-4000-8000-000000000000',
  selection: 'readings+',
  from: '2024-01-01',
  to: '2024-01-04',
  status: 'running',
  parallel: 2,
  pid: 1,
  hostname: 'h',
  heartbeatAt: null,
  message: null,
  createdAt: '2024-02-01T00:00:00.000Z',
  updatedAt: '2024-02-01T00:00:00.000Z',
  finishedAt: null,
};

function output() {
  const chunks: string[] = [];
  const out = {
    columns: 120,
    write(chunk: string) {
      chunks.push(chunk);
      return true;
    },
  };
  return { out: out as unknown as NodeJS.WritableStream, text: () => chunks.join('') };
}

describe('backfill progress', () => {
  test('on a terminal: a bar with done/total, failures, rate and time left, and a line per failed partition', () => {
    let ms = 0;
    const { out, text } = output();
    const progress = new BackfillProgress({ out, interactive: true, now: () => ms });
    progress.onEvent({ type: 'start', backfill, total: 4, done: 1, resumed: true });
    ms = 1000;
    const partition = { type: 'partition' as const, backfillId: backfill.id, runId: 'r', total: 4 };
    progress.onEvent({
      ...partition,
      partitionKey: '2024-01-02',
      status: 'success',
      message: null,
      done: 2,
      failed: 0,
    });
    ms = 2000;
    progress.onEvent({
      ...partition,
      partitionKey: '2024-01-03',
      status: 'failed',
      message: 'boom',
      done: 2,
      failed: 1,
    });
    const screen = text();
    expect(screen).toContain(
      'Resuming backfill 1a2b3c4d-0000-4000-8000-000000000000 of readings+, 2024-01-01 … 2024-01-04: 4 partitions, 1 already done\n',
    );
    expect(screen).toContain('[████████████░░░░░░░░░░░░] 2/4 partitions · 1.0/s · ETA 2.0 s');
    expect(screen).toContain('✗ 2024-01-03: boom\n');
    expect(
      screen.endsWith(
        '✗ 2024-01-03: boom\n[██████████████████░░░░░░] 2/4 partitions · 1 failed · 1.0/s · ETA 1.0 s',
      ),
    ).toBe(true);
    progress.onEvent({
      type: 'finish',
      backfill: { ...backfill, status: 'failed' },
      done: 3,
      failed: 1,
      total: 4,
    });
    expect(text()).toMatch(
      /finished with 1 failed partitions \(3\/4 done\); run the same command again to retry them\.\n$/,
    );
  });

  test('off a terminal: one JSON object per line', () => {
    const { out, text } = output();
    const progress = new BackfillProgress({ out, interactive: false });
    progress.onEvent({ type: 'start', backfill, total: 4, done: 0, resumed: false });
    progress.onEvent({
      type: 'finish',
      backfill: { ...backfill, status: 'success' },
      done: 4,
      failed: 0,
      total: 4,
    });
    expect(
      text()
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l)),
    ).toEqual([
      expect.objectContaining({ type: 'backfill_start', id: backfill.id, total: 4, resumed: false }),
      expect.objectContaining({ type: 'backfill_finish', status: 'success', done: 4 }),
    ]);
  });
});
