import { chmodSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { stringify } from 'yaml';
import { tempHome } from '../../support/example-runtime.js';
import { jsonLines, runShopflow } from '../../support/run-shopflow.js';
import { startTestKinesis, type TestKinesis } from '../../support/test-kinesis.js';

let kinesis: TestKinesis;
let closedPort: number;
const homes: Array<ReturnType<typeof tempHome>> = [];
// NOTE: kinesalite accepts any credentials; the AWS SDK needs some to sign the requests.
const AWS_ENV = {
  AWS_ACCESS_KEY_ID: 'test',
  AWS_SECRET_ACCESS_KEY: 'test',
  AWS_REGION: 'us-east-1',
  AWS_ENDPOINT_URL_KINESIS: '',
  AWS_ENDPOINT_URL: '',
};

/** A home whose stream is `mode: aws` (an existing stream, nothing started locally). */
function awsHome(stream: Record<string, unknown>): string {
  const home = tempHome('shopflow-stream-aws-');
  homes.push(home);
  chmodSync(home.home, 0o755);
  const config = join(home.home, 'shopflow.yaml');
  writeFileSync(
    config,
    stringify({
      env: 'test',
      home: home.home,
      instance: { type: 'sqlite', path: join(home.home, 'instance.db') },
      logging: { level: 'warn' },
      data: { rawDir: join(home.home, 'raw'), logsDir: join(home.home, 'logs') },
      resources: {
        stream: { mode: 'aws', region: 'us-east-1', sliceMillis: 200, pollMillis: 20, ...stream },
      },
    }),
  );
  return config;
}

beforeAll(async () => {
  kinesis = await startTestKinesis();
  // A loopback port nothing listens on: bound, then closed again.
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closedPort = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
});
afterAll(async () => {
  await kinesis.stop();
  for (const h of homes) h.cleanup();
});

describe('shopflow stream … on mode: aws', () => {
  test('a stream that does not exist fails at once, naming the stream, where it was looked for and the fix', async () => {
    const config = awsHome({ name: 'missing-clicks', endpoint: kinesis.endpoint });
    const started = Date.now();
    const consumed = await runShopflow(
      ['--config', config, 'stream', 'consume', '--until-idle', '2s', '--json'],
      AWS_ENV,
    );
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(consumed.code).toBe(1);
    expect(consumed.stderr).toContain('`missing-clicks` does not exist');
    expect(consumed.stderr).toContain(`endpoint ${kinesis.endpoint}, region us-east-1`);
    expect(consumed.stderr).toContain('deploy infra/');
    expect(consumed.stderr).not.toMatch(/restarting from its checkpoint/);
    expect(consumed.stderr).not.toMatch(/\n\s+at /);
    // Producing does not create it on aws either, and the hint does not say it would.
    const produced = await runShopflow(
      ['--config', config, 'stream', 'produce', '--rate', '50', '--duration', '1s', '--json'],
      AWS_ENV,
    );
    expect(produced.code).not.toBe(0);
    expect(produced.stderr).toContain('`missing-clicks` does not exist');
    expect(produced.stderr).not.toMatch(/creates it/);
  });

  test('status shows the endpoint override (without credentials) instead of `aws`', async () => {
    await kinesis.transport('status-clicks', 1);
    const config = awsHome({ name: 'status-clicks' });
    const userinfo = kinesis.endpoint.replace('http://', 'http://someone:secret@');
    const status = await runShopflow(['--config', config, 'stream', 'status', '--json'], {
      ...AWS_ENV,
      AWS_ENDPOINT_URL_KINESIS: userinfo,
    });
    expect(status.code).toBe(0);
    expect(status.stderr).not.toMatch(/error/i);
    const shown = JSON.parse(status.stdout);
    expect(shown).toMatchObject({
      stream: 'status-clicks',
      mode: 'aws',
      server: kinesis.endpoint,
      region: 'us-east-1',
    });
    expect(shown.shards).toHaveLength(1);
    expect(status.stdout).not.toContain('secret');
  });

  test('an unreachable endpoint is retried one line at a time, within --until-idle, then fails', async () => {
    const config = awsHome({ name: 'unreachable-clicks' });
    const env = { ...AWS_ENV, AWS_ENDPOINT_URL_KINESIS: `http://127.0.0.1:${closedPort}` };
    const started = Date.now();
    const consumed = await runShopflow(
      ['--config', config, 'stream', 'consume', '--until-idle', '2s', '--json'],
      env,
    );
    const took = Date.now() - started;
    expect(consumed.code).toBe(1);
    expect(took).toBeLessThan(15_000);
    expect(consumed.stderr).toContain('no record could be read from stream `unreachable-clicks`');
    expect(consumed.stderr).toContain(`endpoint http://127.0.0.1:${closedPort}`);
    expect(consumed.stderr).not.toMatch(/\n\s+at /);
    const retries = consumed.stderr.split('\n').filter((l) => l.includes('restarting from its checkpoint'));
    expect(retries.length).toBeGreaterThan(0);
    expect(retries.length).toBeLessThan(5);
    for (const l of retries) expect(l.length).toBeLessThan(1000);
    expect(jsonLines(consumed.stdout).find((l) => l.type === 'done')).toBeUndefined();

    const status = await runShopflow(['--config', config, 'stream', 'status', '--json'], env);
    expect(status.code).toBe(1);
    expect(status.stderr).toContain(`endpoint http://127.0.0.1:${closedPort}`);
    expect(status.stderr).not.toContain('shopflow stream status');
  });
});
