import {
  closeSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  truncateSync,
  utimesSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, describe, expect, test } from 'vitest';
import { stringify } from 'yaml';
import { tempHome } from '../../support/example-runtime.js';
import { jsonLines, runShopflow, writeTestConfig } from '../../support/run-shopflow.js';
import { TestLakes } from '../../support/test-lakes.js';
import { testS3Client } from '../../support/test-s3.js';

// Issue case 4: a damaged lake file is never invisible. Partitions start three days before today:
// the CLI runs on the real clock.
const start = new Date(Date.now() - 3 * 86_400_000).toISOString().slice(0, 10);
const target = `daily_stats[${start}]`;
const lakes = new TestLakes();
afterAll(() => lakes.stop());

function setUp(prefix: string) {
  const { home, cleanup } = tempHome(prefix);
  const optionsFile = join(home, 'example-options.json');
  writeFileSync(optionsFile, JSON.stringify({ start }));
  let config = '';
  return {
    home,
    cleanup,
    configure(lake: Record<string, unknown>) {
      config = writeTestConfig(home, stringify({ lake }));
    },
    cli: (args: string[]) =>
      runShopflow(['--config', config, ...args], { EXAMPLE_OPTIONS_FILE: optionsFile }),
  };
}

type Cli = ReturnType<typeof setUp>['cli'];

async function planSteps(cli: Cli) {
  const plan = await cli(['plan', '--json']);
  expect(plan.code, plan.stderr).toBe(0);
  return jsonLines(plan.stdout)[0].steps as Array<{
    key: string;
    assetKey: string;
    reasons: Array<{ code: string; message: string }>;
  }>;
}

async function shown(cli: Cli) {
  return await cli(['show', 'daily_stats', '--partition', start, '--format', 'json']);
}

describe('a damaged file in a local lake', () => {
  const t = setUp('shopflow-lake-integrity-');
  const file = join(t.home, 'lake', 'daily_stats', `partition=${start}`, 'data.parquet');
  afterAll(() => t.cleanup());

  test('a truncated file is "missing — file corrupt" in plan and assets, show says so, and materialize repairs it', async () => {
    t.configure({ type: 'local', path: join(t.home, 'lake') });
    const first = await t.cli(['materialize', '--json']);
    expect(first.code, first.stderr).toBe(0);
    const before = await shown(t.cli);
    expect(before.code, before.stderr).toBe(0);
    const written = readFileSync(file).length;

    truncateSync(file, Math.floor(written / 2));
    const steps = await planSteps(t.cli);
    const step = steps.find((s) => s.key === target);
    expect(step?.reasons[0]).toMatchObject({
      code: 'file_corrupt',
      message: `missing — file corrupt: data.parquet is ${Math.floor(written / 2).toLocaleString('en-US')} bytes, ${written.toLocaleString('en-US')} were written`,
    });
    // Only the damaged partition and what reads it are planned.
    expect(steps.filter((s) => s.assetKey === 'daily_stats').map((s) => s.key)).toEqual([target]);

    const assets = await t.cli(['assets', '--json', '--partitions']);
    const daily = jsonLines(assets.stdout).find((a) => a.key === 'daily_stats')!;
    const partition = (daily.partitionStatuses as Array<Record<string, unknown>>).find(
      (p) => p.partitionKey === start,
    );
    expect(partition).toEqual({ partitionKey: start, status: 'missing', materialized: false });
    expect(daily.missing).toBe(1);

    const show = await shown(t.cli);
    expect(show.code).toBe(1);
    expect(show.stderr).toContain(`lake file ${file} of ${target} is`);
    expect(show.stderr).toContain('missing — file corrupt; the next materialize rewrites it');
    expect(show.stderr).not.toMatch(/magic bytes|\n\s+at /);

    const repair = await t.cli(['materialize', '--json']);
    expect(repair.code, repair.stderr).toBe(0);
    expect(await planSteps(t.cli)).toEqual([]);
    expect((await shown(t.cli)).stdout).toBe(before.stdout);
  });

  test('a flipped byte (same size) fails the step that reads it, is recorded, and doctor --repair rewrites it', async () => {
    const before = await shown(t.cli);
    const written = readFileSync(file);
    const fd = openSync(file, 'r+');
    writeSync(fd, Buffer.from([written[40] ^ 0xff]), 0, 1, 40);
    closeSync(fd);
    // A size check cannot see it; the checksum a read verifies can.
    expect((await planSteps(t.cli)).find((s) => s.key === target)).toBeUndefined();
    const downstream = await t.cli(['materialize', 'station_summary', '--force', '--json']);
    expect(downstream.code).toBe(1);
    const failure = jsonLines(downstream.stdout).find((e) => e.type === 'step_failure')!;
    expect(failure.data).toMatchObject({ code: 'SF_LAKE_CORRUPT' });
    expect(String(failure.message)).toMatch(/of daily_stats\[.*\] has SHA-256 .*… was written/);
    expect((await planSteps(t.cli)).find((s) => s.key === target)?.reasons[0].code).toBe('file_corrupt');

    // A leftover of a killed write, older than the grace period.
    const leftover = join(t.home, 'lake', 'daily_stats', `partition=${start}`, '.tmp-deadrun-0000.parquet');
    writeFileSync(leftover, 'partial');
    const old = new Date(Date.now() - 3 * 3_600_000);
    utimesSync(leftover, old, old);

    const check = await t.cli(['doctor', '--json']);
    expect(check.code).toBe(1);
    const found = jsonLines(check.stdout);
    expect(found.filter((f) => f.status === 'problem').map((f) => [f.check, f.subject])).toEqual([
      ['lake files', target],
      ['temporary files', 'daily_stats'],
    ]);
    expect(found.find((f) => f.check === 'instance store')).toMatchObject({ status: 'ok' });

    const repaired = await t.cli(['doctor', '--repair', '--json']);
    expect(repaired.code, repaired.stdout + repaired.stderr).toBe(0);
    expect(
      jsonLines(repaired.stdout)
        .filter((f) => f.status === 'repaired')
        .map((f) => [f.check, f.subject]),
    ).toEqual([
      ['lake files', target],
      ['temporary files', 'daily_stats'],
    ]);
    expect(readdirSync(join(t.home, 'lake', 'daily_stats', `partition=${start}`))).not.toContain(
      '.tmp-deadrun-0000.parquet',
    );
    const healthy = await t.cli(['doctor']);
    expect(healthy.code, healthy.stdout).toBe(0);
    expect(healthy.stdout).toContain(`${t.home}: healthy`);
    expect((await shown(t.cli)).stdout).toBe(before.stdout);
    // The failed downstream step re-runs; then nothing is left to do.
    expect((await t.cli(['materialize'])).code).toBe(0);
    expect(await planSteps(t.cli)).toEqual([]);
  });
});

describe('a damaged file restored in a local lake', () => {
  const t = setUp('shopflow-lake-restored-');
  const file = join(t.home, 'lake', 'daily_stats', `partition=${start}`, 'data.parquet');
  afterAll(() => t.cleanup());

  test('doctor looks at a recorded finding again: a restored file is no longer missing', async () => {
    t.configure({ type: 'local', path: join(t.home, 'lake') });
    expect((await t.cli(['materialize', '--json'])).code).toBe(0);
    const good = readFileSync(file);
    const flipped = Buffer.from(good);
    flipped[40] ^= 0xff;
    writeFileSync(file, flipped);
    expect((await t.cli(['materialize', 'station_summary', '--force', '--json'])).code).toBe(1);
    expect((await planSteps(t.cli)).find((s) => s.key === target)?.reasons[0].code).toBe('file_corrupt');
    // Put back from a backup: a plan's size check cannot tell, a doctor's checksum can.
    writeFileSync(file, good);
    expect((await planSteps(t.cli)).find((s) => s.key === target)?.reasons[0].code).toBe('file_corrupt');
    const doctor = await t.cli(['doctor', '--json']);
    expect(doctor.code, doctor.stdout).toBe(0);
    expect(jsonLines(doctor.stdout).find((f) => f.subject === target)).toMatchObject({
      check: 'lake files',
      status: 'ok',
      detail: expect.stringContaining('restored'),
    });
    expect((await planSteps(t.cli)).map((s) => s.key)).toEqual(['station_summary']);
  });
});

describe('a damaged object in an S3 lake', () => {
  const t = setUp('shopflow-lake-integrity-s3-');
  afterAll(() => t.cleanup());

  test('a read or doctor finds it, every plan then shows it missing — file corrupt, and materialize repairs it', async () => {
    const lake = await lakes.section('s3', t.home);
    t.configure(lake);
    const s3 = await lakes.s3();
    const client = testS3Client(s3.endpoint);
    const first = await t.cli(['materialize', '--json']);
    expect(first.code, first.stderr).toBe(0);
    const before = await shown(t.cli);
    expect(before.code, before.stderr).toBe(0);
    /** The damaged partition is planned as missing — file corrupt; materialize restores its data. */
    const expectPlannedThenRepaired = async () => {
      expect((await planSteps(t.cli)).find((s) => s.key === target)?.reasons[0]).toMatchObject({
        code: 'file_corrupt',
      });
      const repair = await t.cli(['materialize', '--json']);
      expect(repair.code, repair.stderr).toBe(0);
      expect(await planSteps(t.cli)).toEqual([]);
      expect((await shown(t.cli)).stdout).toBe(before.stdout);
    };

    // The object the partition's manifest lists now (earlier versions' objects stay a while).
    const folder = `${lake.prefix}daily_stats/partition=${start}/`;
    const currentKey = async () => {
      const manifest = await client.send(
        new GetObjectCommand({ Bucket: s3.bucket, Key: `${folder}_manifest.json` }),
      );
      const { files } = JSON.parse(await manifest.Body!.transformToString()) as {
        files: Array<{ name: string }>;
      };
      return `${folder}${files[0].name}`;
    };
    const key = await currentKey();
    const body = await (
      await client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: key }))
    ).Body!.transformToByteArray();
    await client.send(
      new PutObjectCommand({
        Bucket: s3.bucket,
        Key: key,
        Body: Buffer.from(body).subarray(0, body.length - 100),
      }),
    );
    // This machine's read cache still holds the good bytes; a machine without them downloads the damage.
    rmSync(String(lake.cacheDir), { recursive: true, force: true });
    // A plan cannot afford a request per partition on S3: it does not see the damage yet.
    expect((await planSteps(t.cli)).find((s) => s.key === target)).toBeUndefined();

    // doctor asks for every object's size, and records what it finds for every later plan.
    const doctor = await t.cli(['doctor', '--json']);
    expect(doctor.code).toBe(1);
    expect(jsonLines(doctor.stdout).find((f) => f.check === 'lake files')).toMatchObject({
      subject: target,
      status: 'problem',
      detail: `s3://${s3.bucket}/${key} is ${(body.length - 100).toLocaleString('en-US')} bytes, ${body.length.toLocaleString('en-US')} were written`,
    });
    await expectPlannedThenRepaired();

    // Damaged again, same size: the read that downloads it checks its SHA-256.
    const repairedKey = await currentKey();
    const flipped = Buffer.from(body);
    flipped[40] ^= 0xff;
    await client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: repairedKey, Body: flipped }));
    rmSync(String(lake.cacheDir), { recursive: true, force: true });
    const read = await t.cli(['materialize', 'station_summary', '--force', '--json']);
    expect(read.code).toBe(1);
    const failure = jsonLines(read.stdout).find((e) => e.type === 'step_failure')!;
    expect(failure.data).toMatchObject({ code: 'SF_LAKE_CORRUPT' });
    expect(String(failure.message)).toContain(`s3://${s3.bucket}/${repairedKey} of ${target} has SHA-256`);
    await expectPlannedThenRepaired();
    expect((await t.cli(['doctor'])).code).toBe(0);
    client.destroy();

    // A lake doctor cannot reach is not "verified".
    t.configure({ ...lake, endpoint: 'http://127.0.0.1:9', retry: { maxAttempts: 1, baseDelayMs: 1 } });
    const unreachable = await t.cli(['doctor', '--json']);
    expect(unreachable.code).toBe(1);
    const lakeFiles = jsonLines(unreachable.stdout).filter((f) => f.check === 'lake files');
    expect(lakeFiles).toEqual([
      expect.objectContaining({
        status: 'problem',
        detail: expect.stringMatching(/^could not verify \d+ partitions/),
      }),
    ]);
    t.configure(lake);
  });
});
