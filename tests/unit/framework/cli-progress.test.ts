import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, expect, test } from 'vitest';
import { runCli } from '../../../framework/index.js';
import { tempHome } from '../../support/example-runtime.js';
import { REPO, writeTestConfig } from '../../support/run-shopflow.js';

const { home, cleanup } = tempHome('shopflow-tty-');
afterAll(() => cleanup());

function capture(isTTY: boolean) {
  let text = '';
  let writes = 0;
  const stream = Object.assign(
    new Writable({
      write(chunk, _encoding, callback) {
        text += chunk;
        writes++;
        callback();
      },
    }),
    { isTTY, columns: 120 },
  );
  return { stream, text: () => text, writes: () => writes };
}

test('on a terminal, materialize draws live progress and a summary; off a terminal, JSON lines', async () => {
  const config = writeTestConfig(home);
  const start = new Date(Date.now() - 3 * 86_400_000).toISOString().slice(0, 10);
  const optionsFile = join(home, 'options.json');
  (await import('node:fs')).writeFileSync(optionsFile, JSON.stringify({ start }));
  // NOTE: the example graph reads its options when the CLI imports it, from this process's environment.
  process.env.EXAMPLE_OPTIONS_FILE = optionsFile;
  const env = { ...process.env };
  const tty = capture(true);
  const err = capture(false);
  const code = await runCli(['--config', config, 'materialize', '+station_summary'], {
    stdout: tty.stream,
    stderr: err.stream,
    cwd: REPO,
    env,
  });
  expect(err.text()).toBe('');
  expect(code).toBe(0);
  expect(tty.text()).toMatch(/\[\d+\/\d+\] [\d,]+ rows/);
  expect(tty.text()).toContain('✓ readings[');
  expect(tty.text()).toMatch(/Run [0-9a-f-]{36} succeeded \(\d+ steps\)\./);

  const pipe = capture(false);
  expect(
    await runCli(['--config', config, 'materialize', 'notes'], {
      stdout: pipe.stream,
      stderr: err.stream,
      cwd: REPO,
      env,
    }),
  ).toBe(0);
  const lines = pipe
    .text()
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  expect(lines[0].type).toBe('run_start');
  expect(lines.at(-1).type).toBe('run_success');
  // The events in the order the store numbered them; lines that arrive together
  // leave in one write.
  const ids = lines.map((l) => l.id);
  expect(ids).toEqual([...ids].sort((a, b) => a - b));
  expect(pipe.writes()).toBeLessThan(lines.length);
});
