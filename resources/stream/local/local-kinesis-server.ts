import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { ShopflowError } from '../../../framework/index.js';

/** A running local Kinesis-compatible server. */
export interface LocalKinesisServer {
  /** `http://127.0.0.1:<port>` */
  endpoint: string;
  port: number;
  pid: number;
  /** `true` when this call started it, `false` when it was already running. */
  started: boolean;
}

interface ServerState {
  pid: number;
  port: number;
}

/** Credentials the local server accepts (it checks that some are present, not which). */
export const LOCAL_KINESIS_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' } as const;

// NOTE: kinesalite's own CLI listens on every interface; this starts it on loopback only, with
// its LevelDB store in the home so the stream survives restarts, and without the artificial delays
// of stream creation and resharding.
const SERVER_SCRIPT = `
const kinesalite = require(process.argv[1]);
const server = kinesalite({ path: process.argv[3], createStreamMs: 0, deleteStreamMs: 0, updateStreamMs: 0, shardLimit: 64 });
server.listen(Number(process.argv[2]), '127.0.0.1');
const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
`;

async function freePort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Whether something answers HTTP on the port (the local server replies to any POST). */
async function answers(port: number): Promise<boolean> {
  return await new Promise((resolve) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/',
        timeout: 2_000,
        headers: {
          'content-type': 'application/x-amz-json-1.1',
          'x-amz-target': 'Kinesis_20131202.ListStreams',
        },
      },
      (res) => {
        res.resume();
        resolve(true);
      },
    );
    req.on('error', () => resolve(false));
    req.on('timeout', () => {
      req.destroy();
      resolve(false);
    });
    req.end('{}');
  });
}

function readState(dir: string): ServerState | undefined {
  const file = join(dir, 'server.json');
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as ServerState;
  } catch {
    return undefined;
  }
}

/**
 * Starts a Kinesis-compatible server (kinesalite) on 127.0.0.1 with its data in `dir`, or reuses
 * the one already running there. Like the embedded PostgreSQL it outlives this process (detached),
 * so every CLI invocation finds the same stream; {@link stopLocalKinesis} stops it.
 *
 * @example
 * const { endpoint } = await ensureLocalKinesis(join(home, 'kinesis'));
 */
export async function ensureLocalKinesis(dir: string): Promise<LocalKinesisServer> {
  const state = readState(dir);
  if (state && alive(state.pid) && (await answers(state.port))) {
    return { endpoint: `http://127.0.0.1:${state.port}`, port: state.port, pid: state.pid, started: false };
  }
  mkdirSync(join(dir, 'data'), { recursive: true });
  const modulePath = createRequire(import.meta.url).resolve('kinesalite');
  const port = await freePort();
  const logFile = join(dir, 'server.log');
  const log = openSync(logFile, 'a');
  let child: ReturnType<typeof spawn>;
  try {
    child = spawn(process.execPath, ['-e', SERVER_SCRIPT, modulePath, String(port), join(dir, 'data')], {
      detached: true,
      stdio: ['ignore', log, log],
    });
  } finally {
    closeSync(log);
  }
  child.unref();
  const pid = child.pid!;
  const deadline = Date.now() + 15_000;
  while (!(await answers(port))) {
    if (!alive(pid) || Date.now() > deadline) {
      if (alive(pid)) process.kill(pid, 'SIGKILL');
      const output = existsSync(logFile)
        ? readFileSync(logFile, 'utf8').trim().split('\n').slice(-5).join(' | ')
        : '';
      throw new ShopflowError(
        'SF_STREAM',
        `the local Kinesis server in ${dir} did not start${output ? `: ${output}` : ''}`,
        {
          hint: `see ${logFile}; \`shopflow stream stop\` and retry, or remove ${join(dir, 'data')} if it is damaged`,
        },
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  writeFileSync(join(dir, 'server.json'), JSON.stringify({ pid, port } satisfies ServerState));
  return { endpoint: `http://127.0.0.1:${port}`, port, pid, started: true };
}

/** Stops the local server of `dir` if one runs; returns whether one was stopped. */
export async function stopLocalKinesis(dir: string): Promise<boolean> {
  const state = readState(dir);
  if (!state || !alive(state.pid)) {
    rmSync(join(dir, 'server.json'), { force: true });
    return false;
  }
  process.kill(state.pid, 'SIGTERM');
  const deadline = Date.now() + 10_000;
  while (alive(state.pid) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  if (alive(state.pid)) process.kill(state.pid, 'SIGKILL');
  rmSync(join(dir, 'server.json'), { force: true });
  return true;
}

/** The running local server of `dir`, or null. */
export async function localKinesisStatus(dir: string): Promise<{ endpoint: string; pid: number } | null> {
  const state = readState(dir);
  if (!state || !alive(state.pid) || !(await answers(state.port))) return null;
  return { endpoint: `http://127.0.0.1:${state.port}`, pid: state.pid };
}
