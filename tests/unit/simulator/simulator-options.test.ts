import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  type GenerateOptions,
  generateShopflowData,
  simulateDay,
} from '../../../assets/raw/simulator/index.js';
import { isShopflowError } from '../../../framework/errors/error-catalog.js';

const root = mkdtempSync(join(tmpdir(), 'shopflow-sim-opts-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const BAD: Array<[string, Record<string, unknown>, string]> = [
  ['scale', { scale: 0 }, 'greater than 0'],
  ['scale', { scale: -1 }, 'greater than 0'],
  ['scale', { scale: Number.NaN }, 'greater than 0'],
  ['scale', { scale: '2' }, 'greater than 0'],
  ['days', { days: 0 }, 'whole number of days'],
  ['days', { days: 1.5 }, 'whole number of days'],
  ['start', { start: '2024-02-30' }, 'YYYY-MM-DD'],
  ['start', { start: 'yesterday' }, 'YYYY-MM-DD'],
  ['defectRate', { defectRate: 0.6 }, 'from 0 to 0.5'],
  ['defectRate', { defectRate: -0.01 }, 'from 0 to 0.5'],
  ['seed', { seed: 1.5 }, 'integer'],
];

describe('simulator options', () => {
  it.each(BAD)(
    'rejects a bad `%s` with SF_BAD_USAGE naming the option and the fix',
    async (option, bad, fix) => {
      const attempt = generateShopflowData({ out: join(root, 'raw'), ...bad } as unknown as GenerateOptions);
      const error = await attempt.catch((e: unknown) => e);
      expect(isShopflowError(error, 'SF_BAD_USAGE')).toBe(true);
      expect((error as Error).message).toContain(`\`${option}\``);
      expect((error as Error).message).toContain(fix);
      expect((error as { details: { option: string } }).details.option).toBe(option);
      expect(() => simulateDay(bad, '2024-01-01')).toThrowError(
        expect.objectContaining({ code: 'SF_BAD_USAGE' }),
      );
      expect(readdirSync(root)).toEqual([]);
    },
  );

  it('suggests the right name for a misspelt option', () => {
    expect(() => simulateDay({ defect_rate: 0 } as never, '2024-01-01')).toThrowError(
      expect.objectContaining({
        code: 'SF_BAD_USAGE',
        message: expect.stringContaining('did you mean `defectRate`'),
      }),
    );
  });

  it('requires `out` and a function `onProgress`', async () => {
    await expect(generateShopflowData({} as GenerateOptions)).rejects.toMatchObject({
      code: 'SF_BAD_USAGE',
      message: expect.stringContaining('`out`'),
    });
    await expect(
      generateShopflowData({ out: join(root, 'raw'), onProgress: 'yes' } as unknown as GenerateOptions),
    ).rejects.toMatchObject({ code: 'SF_BAD_USAGE', message: expect.stringContaining('`onProgress`') });
  });

  it('accepts a one-day range and a tiny scale; the range holds that day’s share of the quarter', async () => {
    const summary = await generateShopflowData({ out: join(root, 'tiny'), scale: 0.001, days: 1 });
    // 1 customer and 1 product exist from the start; the 5 sales of the quarter fall on later days.
    expect(summary.manifest.entities).toEqual({ customers: 1, products: 1, transactions: 0 });
    expect(summary.manifest.files['transactions.csv'].rows).toBe(0);
    const day = await generateShopflowData({ out: join(root, 'day'), scale: 0.2, days: 1, defectRate: 0 });
    const first = simulateDay({ scale: 0.2, defectRate: 0 }, '2024-01-01');
    expect(day.manifest.entities.transactions).toBe(first.transactions.length);
    expect(day.manifest.entities.transactions).toBeGreaterThan(0);
    rmSync(join(root, 'tiny'), { recursive: true });
    rmSync(join(root, 'day'), { recursive: true });
  });

  it('accepts any safe integer seed, negative or above 32 bits', () => {
    const negative = simulateDay({ seed: -5, scale: 0.05 }, '2024-01-02');
    const large = simulateDay({ seed: 2 ** 40 + 5, scale: 0.05 }, '2024-01-02');
    const small = simulateDay({ seed: 5, scale: 0.05 }, '2024-01-02');
    expect(negative.transactions).not.toEqual(small.transactions);
    expect(large.transactions).not.toEqual(small.transactions);
  });
});
