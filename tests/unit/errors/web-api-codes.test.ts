import { expect, test } from 'vitest';
import { ERROR_CATALOG } from '../../../framework/index.js';

test('every catalog code is SF_UPPER_CASE with an exit code and a summary', () => {
  for (const [code, entry] of Object.entries(ERROR_CATALOG)) {
    expect(code).toMatch(/^SF_[A-Z_]+$/);
    expect([1, 2]).toContain(entry.exitCode);
    expect(entry.summary.length).toBeGreaterThan(10);
  }
});

test('the codes the web API answers with keep their meaning', () => {
  expect(ERROR_CATALOG.SF_UNAUTHORIZED.exitCode).toBe(2);
  expect(ERROR_CATALOG.SF_FORBIDDEN.summary).toContain('host not allowed');
  expect(ERROR_CATALOG.SF_TOO_MANY_ATTEMPTS.summary).toContain('wrong tokens');
  expect(ERROR_CATALOG.SF_NOT_FOUND.exitCode).toBe(2);
  expect(ERROR_CATALOG.SF_UNSUPPORTED_MEDIA_TYPE.exitCode).toBe(2);
  expect(ERROR_CATALOG.SF_INTERNAL.exitCode).toBe(1);
});
