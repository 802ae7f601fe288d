import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { findPackageRoot, sqlDirectory } from '../../../resources/postgres/sql-directory.js';

describe('findPackageRoot', () => {
  it('finds the same root from a source file and from its built copy under dist/', () => {
    const root = mkdtempSync(join(tmpdir(), 'shopflow-root-'));
    try {
      writeFileSync(join(root, 'package.json'), '{}');
      mkdirSync(join(root, 'resources', 'postgres'), { recursive: true });
      mkdirSync(join(root, 'dist', 'resources', 'postgres'), { recursive: true });
      const source = pathToFileURL(join(root, 'resources', 'postgres', 'sql-directory.ts')).href;
      const built = pathToFileURL(join(root, 'dist', 'resources', 'postgres', 'sql-directory.js')).href;
      expect(findPackageRoot(source)).toBe(root);
      expect(findPackageRoot(built)).toBe(root);
      expect(findPackageRoot(new URL(built))).toBe(root);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('sqlDirectory', () => {
  it('points at the package’s sql folder', () => {
    expect(existsSync(join(sqlDirectory('ddl'), '001_schema.sql'))).toBe(true);
    expect(existsSync(sqlDirectory('analytics', 'basic_analytics.sql'))).toBe(true);
  });
});
