// Regenerates docs/screenshots/: materializes the whole ShopFlow graph in a throwaway home folder,
// gives the instance some history (a daemon ticking, a paused schedule, a backfill, a canceled
// run), starts `shopflow serve` on it and photographs every page in headless Chromium at
// 1600 × 1000.
//   node scripts/screenshots.mjs            (needs `npm ci` and Chromium at /usr/bin/chromium)
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const OUT = 'docs/screenshots';
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const home = mkdtempSync(join(tmpdir(), 'shopflow-screenshots-'));
// NOTE: as root, the embedded PostgreSQL runs as `postgres`, which must be able to enter the home.
chmodSync(home, 0o755);
const env = { ...process.env, SHOPFLOW_HOME: home, SHOPFLOW_UI_TOKEN: '' };
// NOTE: the development configuration; its lake, landing zone, extracts and logs live in the home.
const run = (args) => ['bin/shopflow.js', '--config', 'config/dev.yaml', '--home', home, ...args];
const shopflow = (...args) =>
  execFileSync(process.execPath, run(args), { encoding: 'utf8', env, maxBuffer: 64 << 20 });
const children = [];

/** Starts `shopflow ARGS`; resolves with the child once a stdout line satisfies `ready`. */
function start(args, ready) {
  const child = spawn(process.execPath, run(args), { env, stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  let buffer = '';
  return new Promise((resolve, reject) => {
    child.on('exit', (code) =>
      reject(new Error(`shopflow ${args.join(' ')} exited with ${code} before it was ready`)),
    );
    child.stdout.on('data', (chunk) => {
      buffer += chunk;
      const lines = buffer.split('\n');
      buffer = lines.pop();
      for (const line of lines) {
        const value = ready(line);
        if (value !== undefined) resolve({ child, value });
      }
    });
  });
}

const json = (line) => {
  try {
    return JSON.parse(line);
  } catch {
    return {};
  }
};

try {
  mkdirSync(OUT, { recursive: true });
  const days = shopflow('assets', '--json', '--partitions')
    .split('\n')
    .map(json)
    .find((asset) => asset.key === 'source_files')
    .partitionStatuses.map((p) => p.partitionKey);
  const [weekAgo, yesterday] = [days[days.length - 7], days[days.length - 1]];

  console.log('materializing the ShopFlow graph …');
  shopflow('materialize', '--json');
  // A backfill of the last week (everything is up to date by now, so every partition says so).
  shopflow(
    'backfill',
    'raw_transactions+',
    '--from',
    weekAgo,
    '--to',
    yesterday,
    '--parallel',
    '2',
    '--json',
  );

  // A run canceled while it runs: everything forced again, one step at a time, canceled at its start.
  const { child: forced, value: runId } = await start(
    ['materialize', '*', '--force', '--concurrency', '1', '--json'],
    (line) => (json(line).type === 'step_start' ? json(line).runId : undefined),
  );
  shopflow('runs', 'cancel', runId, '--json');
  await new Promise((resolve) => forced.on('close', resolve));

  // The nightly schedule was first seen two days ago, so the daemon finds a tick due at once.
  const { openInstanceStore } = await import('../dist/framework/index.js');
  const store = await openInstanceStore({ type: 'sqlite', path: join(home, 'instance.db') });
  await store.setCheckpoint(
    'schedules.nightly_pipeline.since',
    new Date(Date.now() - 2 * 86_400_000).toISOString(),
  );
  await store.close();
  shopflow('schedules', 'pause', 'monthly_rollups');

  // The daemon stays up while the pages are photographed; they wait for its first run to end (or a minute).
  const daemonStarted = start(['daemon', '--json', '--interval', '5'], (line) =>
    json(line).type === 'finished' || json(line).type === 'settled' ? true : undefined,
  );
  await Promise.race([daemonStarted, new Promise((resolve) => setTimeout(resolve, 60_000))]);
  const daemon = children[children.length - 1];
  const { value: url } = await start(['serve', '--port', '0', '--json'], (line) =>
    json(line).type === 'listening' ? json(line).url : undefined,
  );
  const backfillId = JSON.parse(shopflow('backfill', '--list', '--json').split('\n')[0]).id;

  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
  page.on('pageerror', (error) => console.error(`page error: ${error.message}`));
  page.on('response', (response) => {
    if (response.status() >= 400) console.error(`HTTP ${response.status()} ${response.url()}`);
  });
  const pages = [
    ['lineage', '#/', '[data-testid="graph-canvas"][data-scale]'],
    ['catalog', '#/catalog', '[data-testid="catalog-row"]'],
    ['asset', '#/assets/customer_clv', '[data-testid="schema-table"]'],
    ['runs', '#/runs', '[data-testid="run-row"]'],
    ['run-canceled', `#/runs/${runId}`, '[data-testid="run-event"]'],
    ['automation', '#/automation', '[data-testid="tick-run"], [data-testid="schedule-row"]'],
    ['backfills', '#/backfills', '[data-testid="backfill-row"]'],
    ['backfill', `#/backfills/${backfillId}`, '[data-testid="backfill-partition-row"]'],
    ['data-quality', '#/quality', '[data-testid="quality-asset"]'],
    ['launch', '#/launch?selection=%2Bcustomer_clv', '[data-testid="launch-form"]'],
  ];
  for (const [name, hash, ready] of pages) {
    await page.goto(new URL(hash, url).href);
    await page.waitForSelector(ready, { state: 'attached', timeout: 60_000 });
    await page.waitForTimeout(400);
    await page.screenshot({ path: join(OUT, `${name}.png`) });
    console.log(`wrote ${join(OUT, `${name}.png`)}`);
  }
  await browser.close();
  daemon.kill('SIGINT');
} finally {
  for (const child of children) if (child.exitCode === null) child.kill('SIGINT');
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  try {
    shopflow('db', 'stop');
  } catch {
    // NOTE: nothing to stop when materializing failed before PostgreSQL started.
  }
  rmSync(home, { recursive: true, force: true });
}
