import { describe, expect, it } from 'vitest';
import { connectionTarget, redactConnectionUrl } from '../../../resources/postgres/redact-connection-url.js';

describe('redactConnectionUrl', () => {
  it('replaces the password of the user-info part', () => {
    expect(redactConnectionUrl('postgres://shopflow:s3cret@db.example.com:5432/shopflow')).toBe(
      'postgres://shopflow:***@db.example.com:5432/shopflow',
    );
  });

  it('replaces URL-encoded passwords and password parameters', () => {
    const redacted = redactConnectionUrl('postgresql://u:p%40ss%2Fword@h/db?sslmode=require&password=other');
    expect(redacted).not.toContain('p%40ss');
    expect(redacted).not.toContain('other');
    expect(redacted).toContain('sslmode=require');
    expect(redacted).toContain('password=***');
  });

  it('leaves a URL without password as it is', () => {
    expect(redactConnectionUrl('postgres://u@h:5433/db')).toBe('postgres://u@h:5433/db');
  });

  it('hides a password with an unencoded `/` that still parses as a host and a path', () => {
    const redacted = redactConnectionUrl('postgres://shopflow:5432/cdS3cret@db.example.com/shopflow');
    expect(redacted).not.toContain('S3cret');
    expect(redacted).toContain('@db.example.com/shopflow');
  });

  it('never echoes an unparsable URL', () => {
    expect(redactConnectionUrl('postgres://shopflow:ab/cdS3cret@db/x')).toBe(
      'postgres://(unparsable connection URL)',
    );
    expect(redactConnectionUrl('postgres://u:pw@[bad')).toBe('postgres://(unparsable connection URL)');
  });
});

describe('connectionTarget', () => {
  it('gives host:port, with 5432 by default', () => {
    expect(connectionTarget('postgres://u:pw@db.internal:6543/x')).toBe('db.internal:6543');
    expect(connectionTarget('postgres://u:pw@db.internal/x')).toBe('db.internal:5432');
  });
});
