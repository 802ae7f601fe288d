// Regenerates docs/samples/: runs the whole ShopFlow graph on the fixed 2024 quarter (the test
// configuration, so the samples do not depend on today's date) in a throwaway home folder and saves
// small outputs a reader can look at without running anything.
//   node scripts/write-samples.mjs
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const home = mkdtempSync(join(tmpdir(), 'shopflow-samples-'));
// NOTE: as root, the embedded PostgreSQL runs as `postgres`, which must be able to enter the home.
chmodSync(home, 0o755);
const out = 'docs/samples';
const shopflow = (...args) =>
  execFileSync(
    process.execPath,
    ['bin/shopflow.js', '--config', 'config/test.yaml', '--home', home, ...args],
    {
      encoding: 'utf8',
      maxBuffer: 64 << 20,
    },
  );

try {
  mkdirSync(out, { recursive: true });
  shopflow('materialize', '--json');
  for (const asset of ['top_customers', 'best_sellers_by_category', 'monthly_revenue', 'aov_by_country']) {
    writeFileSync(join(out, `${asset}.csv`), shopflow('show', asset, '--format', 'csv', '--limit', '200'));
  }
  writeFileSync(join(out, 'assets.txt'), shopflow('assets'));
  writeFileSync(
    join(out, 'checks.txt'),
    shopflow('checks', 'raw_transactions').split('\n').slice(0, 40).join('\n'),
  );
  writeFileSync(
    join(out, 'lineage-top_customers.txt'),
    shopflow('lineage', 'top_customers').replace(/materialization [0-9a-f]{8}/g, 'materialization …'),
  );
  const log = readFileSync(join(home, 'logs', 'validation.log'), 'utf8').split('\n');
  const interesting = log.filter((line) => / (FAIL|WARN)|quarantined=[1-9]/.test(line)).slice(0, 30);
  writeFileSync(join(out, 'validation.log'), `${interesting.join('\n')}\n`);
  writeFileSync(join(out, 'plan-after-run.txt'), shopflow('plan'));
  shopflow('db', 'stop');
  console.log(`wrote ${out}`);
} finally {
  rmSync(home, { recursive: true, force: true });
}
