import { describe, expect, it } from 'vitest';
import { embeddedSharedBuffers } from '../../../resources/postgres/embedded-postgres-server.js';

const GiB = 1024 ** 3;

describe('embeddedSharedBuffers', () => {
  it("is an eighth of the machine's memory, never below PostgreSQL's default nor above 1 GB", () => {
    expect(embeddedSharedBuffers(4 * GiB)).toBe('512MB');
    expect(embeddedSharedBuffers(0.5 * GiB)).toBe('128MB');
    expect(embeddedSharedBuffers(24 * GiB)).toBe('1024MB');
    expect(embeddedSharedBuffers(8 * GiB + 5)).toBe('1024MB');
    expect(embeddedSharedBuffers(6 * GiB)).toBe('768MB');
  });
});
