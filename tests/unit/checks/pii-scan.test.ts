import { afterEach, describe, expect, test } from 'vitest';
import { z } from 'zod';
import { simulatorNameVocabulary } from '../../../assets/raw/simulator/name-vocabulary.js';
import { piiScan } from '../../../checks/index.js';
import { defineAsset, defineDefinitions, sql } from '../../../framework/index.js';
import { openTestRuntime, tempHome } from '../../support/example-runtime.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

const ROWS = sql`select i::BIGINT as id,
    'user' || i || '@example.com' as contact,
    ['Ada Smith', 'Kurtis Abbott', 'Maxine Murphy'][1 + i % 3] as owner,
    'Chair ' || i as product
  from range(0, 40) t(i)`;

/** Materializes the rows with `contact` and `owner` declared PII or not, and returns the scan's result. */
async function scan(declared: boolean) {
  const text = declared ? z.string().meta({ pii: true }) : z.string();
  const asset = defineAsset({
    key: 'orders',
    description: '',
    schema: z.object({ id: z.int(), contact: text, owner: text, product: z.string() }),
    checks: [piiScan({ names: simulatorNameVocabulary() })],
    materialize: () => ROWS,
  });
  const { home, cleanup } = tempHome();
  const runtime = await openTestRuntime(defineDefinitions({ assets: [asset] }), home);
  cleanups.push(cleanup, () => runtime.close());
  const result = await runtime.execute(await runtime.plan());
  const [evaluation] = await runtime.store.latestCheckEvaluations({ assetKey: 'orders' });
  return { result, evaluation };
}

describe('piiScan', () => {
  test('undeclared e-mail addresses and person names fail the blocking check, naming column and kind, never a value', async () => {
    const { result, evaluation } = await scan(false);
    expect(evaluation.passed).toBe(false);
    expect(evaluation.metadata.message).toBe(
      '`contact` holds e-mail addresses (40 of 40 sampled values); `owner` holds person names (40 of 40 sampled values) but is not declared PII: declare it with .meta({ pii: true }) or stop writing it',
    );
    expect(evaluation.metadata.message).not.toContain('@example.com');
    expect(result.outcomes.get('orders')).toMatchObject({ status: 'success', blocking: true });
  });

  test('declared PII columns are not scanned; the rest holds none', async () => {
    const { evaluation } = await scan(true);
    expect(evaluation.passed).toBe(true);
    expect(evaluation.metadata.message).toBe('1 undeclared text column, 40 sampled rows: no personal data');
  });
});
