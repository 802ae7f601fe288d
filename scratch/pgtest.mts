import { ensureEmbeddedPostgres, stopEmbeddedPostgres } from '../resources/postgres/embedded-postgres-server.ts';
import { mkdtempSync } from 'node:fs'; import { tmpdir } from 'node:os'; import { join } from 'node:path';
import pg from 'pg';
const p = mkdtempSync(join(tmpdir(), 'sfpg-')); (await import('node:fs')).chmodSync(p, 0o777); const dir = join(p, 'pg');
console.time('start'); const s = await ensureEmbeddedPostgres(dir); console.timeEnd('start'); console.log(s.port, s.started);
const s2 = await ensureEmbeddedPostgres(dir); console.log('reuse', s2.started);
const c = new pg.Client(s.url); await c.connect(); console.log((await c.query('select version()')).rows[0]); await c.end();
console.log(await stopEmbeddedPostgres(dir));
