import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { withValidationLog } from '../../../checks/validation-log.js';
import { type CheckContext, defineCheck } from '../../../framework/index.js';

const homes: string[] = [];
afterEach(() => {
  for (const home of homes.splice(0)) rmSync(home, { recursive: true, force: true });
});

const failing = defineCheck({
  name: 'no_negative_amounts',
  severity: 'error',
  description: 'x',
  evaluate: async () => ({ passed: false, message: 'two rows below zero', metadata: { failingRows: 2 } }),
});

const context = (partitionKey: string) =>
  ({ assetKey: 'orders', partitionKey, columns: [] }) as unknown as CheckContext;

describe('withValidationLog', () => {
  it('appends one line per evaluation, and again after the log folder was removed', async () => {
    const home = mkdtempSync(join(tmpdir(), 'shopflow-validation-log-'));
    homes.push(home);
    const file = join(home, 'logs', 'validation.log');
    const [check] = withValidationLog([failing], async () => file);
    await check!.evaluate(context('2024-01-01'));
    await check!.evaluate(context('2024-01-02'));
    rmSync(join(home, 'logs'), { recursive: true });
    const result = await check!.evaluate(context('2024-01-03'));
    expect(result.passed).toBe(false);
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    // NOTE: the two lines before the removal went with the folder.
    expect(lines).toEqual([
      expect.stringMatching(
        / orders\[2024-01-03\] no_negative_amounts FAIL failing=2 — two rows below zero$/,
      ),
    ]);
    await check!.evaluate(context('2024-01-04'));
    expect(readFileSync(file, 'utf8').trim().split('\n')).toHaveLength(2);
  });
});
