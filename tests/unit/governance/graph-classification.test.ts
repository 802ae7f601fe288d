import { describe, expect, test } from 'vitest';
import { z } from 'zod';
import { classifyGraph, maskingClassification } from '../../../framework/governance/graph-classification.js';
import {
  defineAsset,
  defineDefinitions,
  materialized,
  sql,
  storedByAsset,
} from '../../../framework/index.js';
import { graphColumnLineage } from '../../../framework/lineage/asset-column-lineage.js';
import { useDuckDbSession } from '../../support/test-duckdb.js';

const duckdb = useDuckDbSession();

const customers = defineAsset({
  key: 'customers',
  description: 'Customers.',
  classification: 'internal',
  schema: z.object({
    customer_id: z.int(),
    name: z.string().meta({ pii: 'name' }),
    email: z.string().meta({ pii: 'email' }),
    card: z.string().meta({ pii: 'payment' }),
    country: z.string().meta({ classification: 'public' }),
  }),
  materialize: () =>
    sql`select 1 as customer_id, 'Ada' as name, 'ada@example.com' as email, '4111' as card, 'GB' as country`,
});

const derived = defineAsset({
  key: 'customer_view',
  description: 'Derived columns.',
  deps: { customers },
  schema: z.object({
    customer_id: z.int(),
    display_name: z.string(),
    email_hash: z.string(),
    card_hint: z.string(),
    people: z.int(),
    country: z.string(),
    mailbox: z.string().meta({ classification: 'internal' }),
    domain: z
      .string()
      .meta({ classification: 'internal', classificationReason: 'the domain part names no one' }),
  }),
  materialize: ({ deps }) =>
    sql`select customer_id, upper(name) as display_name, sha256(email) as email_hash, right(card, 4) as card_hint,
          count(*) over () as people, country, email as mailbox, split_part(email, '@', 2) as domain
        from ${deps.customers}`,
});

const loaded = defineAsset({
  key: 'customers_loaded',
  description: 'Copies the customers into another store (no statement).',
  deps: { source: customers },
  columnsFrom: 'source',
  schema: z.object({ customer_id: z.int(), email: z.string(), loaded_at: z.string() }),
  io: storedByAsset(),
  materialize: () => materialized({ rowCount: 1 }),
});

const unclassified = defineAsset({
  key: 'legacy_feed',
  description: 'A source nobody classified.',
  schema: z.object({ id: z.int(), payload: z.string() }),
  materialize: () => sql`select 1 as id, 'x' as payload`,
});

async function classify() {
  const { graph } = defineDefinitions({ assets: [customers, derived, loaded, unclassified] });
  return { graph, ...classifyGraph(graph, await graphColumnLineage(graph, duckdb())) };
}

describe('classification of every column', () => {
  test('derived columns inherit the strictest class of their sources unless masked or aggregated', async () => {
    const { columns } = await classify();
    const view = Object.fromEntries(
      columns.get('customer_view')!.map((c) => [c.column, `${c.classification}/${c.piiKind}/${c.source}`]),
    );
    expect(view).toEqual({
      customer_id: 'internal/null/inherited',
      display_name: 'confidential/name/inherited',
      email_hash: 'internal/null/inherited',
      card_hint: 'restricted/payment/inherited',
      people: 'internal/null/inherited',
      country: 'public/null/inherited',
      // a lowered class without a reason does not count until it has one
      mailbox: 'confidential/email/inherited',
      domain: 'internal/null/declared',
    });
  });

  test('a declared class below the inherited one needs a reason: without one it is a problem naming the column', async () => {
    const { problems } = await classify();
    const mailbox = problems.find((p) => p.column === 'mailbox');
    expect(mailbox).toMatchObject({ asset: 'customer_view' });
    expect(mailbox!.message).toContain('declares internal but inherits confidential from customers.email');
    expect(problems.some((p) => p.column === 'domain')).toBe(false);
  });

  test('an asset without a statement inherits through columnsFrom; its other columns take its class or none', async () => {
    const { columns, problems } = await classify();
    const copied = Object.fromEntries(
      columns.get('customers_loaded')!.map((c) => [c.column, `${c.classification}/${c.source}`]),
    );
    expect(copied).toEqual({
      customer_id: 'internal/inherited',
      email: 'confidential/inherited',
      loaded_at: 'null/none',
    });
    expect(problems.filter((p) => p.asset !== 'customer_view').map((p) => `${p.asset}.${p.column}`)).toEqual([
      'customers_loaded.loaded_at',
      'legacy_feed.id',
      'legacy_feed.payload',
    ]);
    expect(problems.find((p) => p.asset === 'legacy_feed')!.message).toContain('is unclassified');
  });

  test('masking follows the resolved classes: inherited personal data is masked by its kind', async () => {
    const { graph, columns } = await classify();
    const masking = maskingClassification(graph.get('customer_view'), columns.get('customer_view')!);
    expect([...masking].filter(([, cls]) => cls === 'pii').map(([name]) => name)).toEqual([
      'display_name',
      'card_hint',
      'mailbox',
    ]);
    expect(masking.policyOf?.('display_name')).toBe('pseudonym');
    expect(masking.policyOf?.('card_hint')).toBe('redact');
  });
});
