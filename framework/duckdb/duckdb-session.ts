import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { type SqlQuery, sql } from './sql-template.js';

/** A row as DuckDB returns it in JSON-safe form (big integers and decimals as strings). */
export type JsonRow = Record<string, unknown>;

/** One statement a {@link DuckDbSession} ran: its text, how long it took (ms) and whether it succeeded. */
export interface DuckDbTraceEntry {
  sql: string;
  ms: number;
  ok: boolean;
}

/** Receives every statement run through a {@link DuckDbSession} while it is installed. */
export type DuckDbTrace = (entry: DuckDbTraceEntry) => void;

let trace: DuckDbTrace | null = null;

/**
 * Installs (or, with `null`, removes) a process-wide observer of DuckDB statements: after each
 * `query`, `queryWithColumns` or `run` of any session it receives the SQL text and the time the
 * call took, results included. For benchmarks and diagnostics; nothing is traced by default, and
 * statements run exactly as they would untraced.
 *
 * @example
 * const statements: DuckDbTraceEntry[] = [];
 * setDuckDbTrace((entry) => statements.push(entry));
 * await runtime.execute(await runtime.plan());
 * setDuckDbTrace(null);
 */
export function setDuckDbTrace(fn: DuckDbTrace | null): void {
  trace = fn;
}

async function traced<T>(text: string, call: () => Promise<T>): Promise<T> {
  if (trace === null) return await call();
  const started = performance.now();
  let ok = false;
  try {
    const result = await call();
    ok = true;
    return result;
  } finally {
    trace?.({ sql: text, ms: performance.now() - started, ok });
  }
}

/**
 * One DuckDB connection handed to a step or a check. Each step gets its own connection on the
 * process-wide in-memory database, so steps in parallel do not block each other.
 */
export class DuckDbSession {
  /** The `sql` tagged template, for convenience inside asset code. */
  readonly sql = sql;

  private readonly closing: Array<() => void> = [];
  private opened?: DuckDBConnection;
  private opening?: Promise<DuckDBConnection>;
  private closed = false;

  /**
   * `connect` is called on the first statement, so a step that never queries (it loads a table
   * itself, or returns rows) costs no connection.
   */
  constructor(private readonly connect: () => Promise<DuckDBConnection>) {}

  /** The session's connection, opened on first use. */
  async connection(): Promise<DuckDBConnection> {
    if (this.opened) return this.opened;
    this.opening ??= this.connect().then((connection) => {
      if (this.closed) connection.closeSync();
      this.opened = connection;
      return connection;
    });
    return await this.opening;
  }

  /** Runs `fn` when the session closes (e.g. to release the files its queries read). */
  onClose(fn: () => void): void {
    this.closing.push(fn);
  }

  /** Runs a statement and returns every row as JSON-safe objects. */
  async query(statement: SqlQuery | string): Promise<JsonRow[]> {
    const text = String(statement);
    return await traced(text, async () => {
      const reader = await (await this.connection()).runAndReadAll(text);
      return reader.getRowObjectsJson() as JsonRow[];
    });
  }

  /** Runs a statement and returns column names and types with the rows. */
  async queryWithColumns(
    statement: SqlQuery | string,
  ): Promise<{ columns: Array<{ name: string; type: string }>; rows: JsonRow[] }> {
    const text = String(statement);
    return await traced(text, async () => {
      const reader = await (await this.connection()).runAndReadAll(text);
      const names = reader.columnNames();
      const types = reader.columnTypes().map(String);
      return {
        columns: names.map((name, i) => ({ name, type: types[i] })),
        rows: reader.getRowObjectsJson() as JsonRow[],
      };
    });
  }

  /**
   * The columns a query would return (names and DuckDB type names, as `DESCRIBE` prints them),
   * read by binding it (prepare) without running it: no rows are read. Types whose names `DESCRIBE`
   * spells differently (nested structs, maps, unions) are read with `DESCRIBE` itself.
   */
  async columnsOf(statement: SqlQuery | string): Promise<Array<{ name: string; type: string }>> {
    const text = String(statement);
    const prepared = await (await this.connection()).prepare(text);
    const columns = Array.from({ length: prepared.columnCount }, (_, i) => ({
      name: prepared.columnName(i),
      type: String(prepared.columnType(i)),
    }));
    prepared.destroySync();
    if (!columns.some((c) => /STRUCT|MAP|UNION/.test(c.type))) return columns;
    const described = await this.query(`DESCRIBE ${text}`);
    return described.map((r) => ({ name: String(r.column_name), type: String(r.column_type) }));
  }

  /** Runs a statement for its effect. */
  async run(statement: SqlQuery | string): Promise<void> {
    const text = String(statement);
    await traced(text, async () => {
      await (await this.connection()).run(text);
    });
  }

  close(): void {
    this.closed = true;
    this.opened?.closeSync();
    for (const fn of this.closing.splice(0)) {
      try {
        fn();
      } catch {
        // NOTE: a release that fails (a file already gone) must not fail the step that closes.
      }
    }
  }
}

/**
 * How long the count of steps running at once must hold before the database's threads follow it
 * ({@link DuckDbEngine.shareAmong}). A change waits for the tasks in flight (milliseconds); two
 * steps on two cores hand over to each other many times a second, and following every hand-over
 * made a whole run twice as slow.
 */
export const THREADS_SETTLE_MS = 200;

/** The process-wide DuckDB database; created on first use. */
export class DuckDbEngine {
  private instance?: Promise<DuckDBInstance>;
  private threads?: number;
  /** The thread count the database has now (undefined before it exists). */
  private applied?: number;
  /** Changes of the thread count, one after another, so the last one asked for is the one kept. */
  private changes: Promise<void> = Promise.resolve();
  /** The change {@link shareAmong} waits to make, until the count of running steps has held. */
  private settling?: ReturnType<typeof setTimeout>;

  constructor(
    private readonly options: {
      tempDirectory?: string;
      memoryLimit?: string;
      threads?: number;
      /**
       * Cores to share among the steps running at once ({@link shareAmong}); unset when the
       * thread count is fixed (`executor.duckdbThreads`).
       */
      shareCores?: number;
      /**
       * How long the count of running steps must hold before {@link shareAmong} changes the
       * threads (default {@link THREADS_SETTLE_MS}).
       */
      settleMs?: number;
    } = {},
  ) {
    this.threads = options.threads;
  }

  /**
   * Sets how many threads the database uses (e.g. for a run with another concurrency): at its
   * creation, or at once when it exists.
   */
  async useThreads(threads: number): Promise<void> {
    // NOTE: a count asked for outright wins over one still waiting for the steps to settle.
    this.#cancelSettling();
    this.threads = Math.trunc(threads);
    const change = this.changes.then(() => this.applyThreads());
    // NOTE: a change that fails is its caller's error; the ones asked for after it still apply.
    this.changes = change.catch(() => {});
    await change;
  }

  /**
   * Gives the steps running in this process the machine's cores between them (at least one
   * thread): a step that runs alone — the end of a graph, a chain of unpartitioned assets — gets
   * every core, four steps on two cores one thread each. Returns at once: the change is made when
   * the count has held for `settleMs`, so counts that come and go as steps hand over to each other
   * (two steps on two cores: one ends, the next starts) change nothing. Does nothing when the thread
   * count is fixed.
   */
  shareAmong(runningSteps: number): void {
    const cores = this.options.shareCores;
    if (cores === undefined) return;
    const threads = Math.max(1, Math.floor(cores / Math.max(1, runningSteps)));
    this.#cancelSettling();
    if (threads === this.threads) return;
    this.settling = setTimeout(() => {
      this.settling = undefined;
      // NOTE: a thread count is tuning: a database that refuses the change must not fail a step.
      this.useThreads(threads).catch(() => {});
    }, this.options.settleMs ?? THREADS_SETTLE_MS);
    // NOTE: a change still waiting must not keep a process alive whose work is done.
    this.settling.unref?.();
  }

  /** Resolves when the thread count changes asked for so far are made (tests wait on it). */
  async settled(): Promise<void> {
    await this.changes;
  }

  #cancelSettling(): void {
    if (this.settling === undefined) return;
    clearTimeout(this.settling);
    this.settling = undefined;
  }

  private async applyThreads(): Promise<void> {
    const threads = this.threads;
    if (!this.instance || threads === undefined || threads === this.applied) return;
    const connection = await (await this.instance).connect();
    try {
      await connection.run(`SET GLOBAL threads = ${threads}`);
      this.applied = threads;
    } finally {
      connection.closeSync();
    }
  }

  async session(): Promise<DuckDbSession> {
    return new DuckDbSession(async () => {
      this.instance ??= this.create();
      return await (await this.instance).connect();
    });
  }

  private async create(): Promise<DuckDBInstance> {
    const settings: Record<string, string> = {};
    if (this.options.tempDirectory) settings.temp_directory = this.options.tempDirectory;
    if (this.options.memoryLimit) settings.memory_limit = this.options.memoryLimit;
    const threads = this.threads;
    if (threads) settings.threads = String(threads);
    // NOTE: imported here, so commands that never query (help, listing assets) do not load DuckDB.
    const { DuckDBInstance } = await import('@duckdb/node-api');
    const instance = await DuckDBInstance.create(':memory:', settings);
    // NOTE: UTC for every connection, so casts between timestamps with and without time zone never
    // depend on the machine.
    const connection = await instance.connect();
    try {
      await connection.run("SET GLOBAL TimeZone = 'UTC'");
    } finally {
      connection.closeSync();
    }
    this.applied = threads;
    return instance;
  }

  async close(): Promise<void> {
    this.#cancelSettling();
    if (!this.instance) return;
    const instance = await this.instance;
    instance.closeSync();
    this.instance = undefined;
    this.applied = undefined;
  }
}
