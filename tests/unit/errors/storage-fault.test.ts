import { describe, expect, it } from 'vitest';
import { ShopflowError } from '../../../framework/errors/error-catalog.js';
import { storageFault, storageFaultKind } from '../../../framework/errors/storage-fault.js';

const coded = (message: string, code: string) => Object.assign(new Error(message), { code });

describe('storageFault', () => {
  it.each([
    [coded('ENOSPC: no space left on device, write', 'ENOSPC'), 'disk_full'],
    [coded('database or disk is full', 'SQLITE_FULL'), 'disk_full'],
    [coded('could not extend file "base/16384/2619": No space left on device', '53100'), 'disk_full'],
    [new Error('IO Error: Could not write file "x.parquet": No space left on device'), 'disk_full'],
    [coded('database is locked', 'SQLITE_BUSY'), 'store_busy'],
    [coded('database table is locked', 'SQLITE_LOCKED_SHAREDCACHE'), 'store_busy'],
    [
      new Error('cannot rollback - no transaction is active', {
        cause: coded('database is locked', 'SQLITE_BUSY'),
      }),
      'store_busy',
    ],
  ])('%s is %s, found anywhere in the cause chain', (error, kind) => {
    expect(storageFaultKind(new Error('writing bronze_customers[2024-01-02] failed', { cause: error }))).toBe(
      kind,
    );
  });

  it('keeps the outer message (naming what was written) and the original error as the cause', () => {
    const cause = coded('ENOSPC: no space left on device, write', 'ENOSPC');
    const fault = storageFault(new Error('writing gold_sales_daily[2024-01-02] failed', { cause }))!;
    expect(fault.code).toBe('SF_DISK_FULL');
    expect(fault.exitCode).toBe(1);
    expect(fault.message).toMatch(
      /^no space left on the disk: writing gold_sales_daily\[2024-01-02\] failed; free space/,
    );
    expect(fault.cause).toBeInstanceOf(Error);
  });

  it('leaves other errors alone and passes an already classified one through', () => {
    expect(storageFault(new Error('relation "x" does not exist'))).toBeUndefined();
    const classified = new ShopflowError('SF_DISK_FULL', 'the lake disk is full');
    expect(storageFault(new Error('outer', { cause: classified }))).toBe(classified);
  });
});
