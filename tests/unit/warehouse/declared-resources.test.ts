import { describe, expect, test } from 'vitest';
import shopflow from '../../../assets/definitions.js';
import { declaredResources } from '../../../framework/index.js';

function declaring(name: string): string[] {
  return shopflow.assets
    .filter((asset) => declaredResources(asset).some((r) => r.name === name))
    .map((asset) => asset.key)
    .sort();
}

describe('the resources ShopFlow assets declare (started when a run that needs them begins)', () => {
  test('every asset that loads or reads the PostgreSQL warehouse declares it, and no other does', () => {
    const tables = shopflow.assets.filter((a) => a.io.kind === 'postgres-table').map((a) => a.key);
    expect(tables.length).toBeGreaterThan(5);
    expect(declaring('postgres')).toEqual(
      [...tables, 'operational_customer_changes', 'sales_reconciliation_daily'].sort(),
    );
  });

  test('the landing zone is declared by the assets that write or read it', () => {
    expect(declaring('objectStore')).toEqual([
      'bronze_clickstream',
      'bronze_customers',
      'bronze_products',
      'bronze_transactions',
      's3_raw_landing',
    ]);
  });
});
