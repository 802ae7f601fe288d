import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import shopflow from '../../../assets/definitions.js';
import { loadConfig, ShopflowRuntime } from '../../../framework/index.js';
import { silentLog } from '../../support/example-runtime.js';

const project = mkdtempSync(join(tmpdir(), 'shopflow-homes-'));
afterAll(() => rmSync(project, { recursive: true, force: true }));

/** Every file under `dir`, relative to it. */
function files(dir: string, prefix = ''): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? files(join(dir, entry.name), `${prefix}${entry.name}/`)
      : [`${prefix}${entry.name}`],
  );
}

describe('everything a home writes lives under it', () => {
  test('two homes on one configuration file share no file: extracts, landing zone, lake, logs', async () => {
    // The shipped configurations set no data folder and no landing path.
    const config = join(project, 'shopflow.yaml');
    writeFileSync(
      config,
      [
        'env: test',
        'logging: { level: warn }',
        'resources:',
        '  objectStore: { type: local }',
        '  generator: { seed: 3, scale: 0.05, start: "2024-01-01", days: 90 }',
      ].join('\n'),
    );
    for (const home of ['home-a', 'home-b']) {
      const runtime = await ShopflowRuntime.open({
        config: loadConfig({ file: config, cwd: project, home, environment: {} }),
        definitions: shopflow,
        log: silentLog,
      });
      try {
        const plan = await runtime.plan({
          selection: '+raw_clickstream',
          partitions: { keys: ['2024-01-02'] },
        });
        expect((await runtime.execute(plan)).status).toBe('success');
      } finally {
        await runtime.close();
      }
    }
    expect(readdirSync(project).sort()).toEqual(['home-a', 'home-b', 'shopflow.yaml']);
    for (const home of ['home-a', 'home-b']) {
      const written = files(join(project, home));
      for (const expected of [
        'raw/daily/2024-01-02/clickstream.jsonl',
        'landing/raw/year=2024/month=01/day=02/clickstream/clickstream.jsonl',
        'lake/raw_clickstream/partition=2024-01-02/data.parquet',
        'logs/validation.log',
        'instance.db',
      ]) {
        expect(written, `${home}: ${expected}`).toContain(expected);
      }
    }
  });
});
