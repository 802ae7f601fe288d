import { createHash } from 'node:crypto';
import type { RunRequest, SensorContext, SensorDefinition } from '../framework/index.js';
import { defineSensor } from './define-sensor.js';

/** One object under a landing prefix: its key and when it was last written. */
export interface LandingObject {
  key: string;
  lastModified: Date;
}

/**
 * Lists the objects under a prefix; it receives the sensor's context, so it can open a resource.
 * The object store's `list` fits (`async function* (prefix, { resource }) { yield* (await
 * resource(landingStore)).list(prefix); }`); {@link localFolderLister} reads a plain folder.
 */
export type ObjectLister = (prefix: string, context: SensorContext) => AsyncIterable<LandingObject>;

/** What a landing sensor remembers: the newest modification time seen and the keys seen at it. */
interface LandingCursor {
  t: string;
  keys: string[];
}

const HIVE_DAY = /(?:^|\/)year=(\d{4})\/month=(\d{2})\/day=(\d{2})(?:\/|$)/;
const DATE_SEGMENT = /(?:^|\/|=)(\d{4}-\d{2}-\d{2})(?:\/|$|[._])/;

/**
 * The day partition an object key belongs to: `raw/year=2024/month=01/day=15/…` or a path with a
 * `2024-01-15` segment → `2024-01-15`; null when the key names no day.
 *
 * @example
 * landingPartitionOf('raw/year=2024/month=01/day=15/customers/customers.csv'); // '2024-01-15'
 */
export function landingPartitionOf(key: string): string | null {
  const hive = HIVE_DAY.exec(key);
  if (hive) return `${hive[1]}-${hive[2]}-${hive[3]}`;
  return DATE_SEGMENT.exec(key)?.[1] ?? null;
}

function parseCursor(cursor: string | null): LandingCursor {
  if (!cursor) return { t: '', keys: [] };
  try {
    const parsed = JSON.parse(cursor) as LandingCursor;
    return { t: String(parsed.t ?? ''), keys: Array.isArray(parsed.keys) ? parsed.keys : [] };
  } catch {
    return { t: '', keys: [] };
  }
}

/** What `landingSensor` accepts. */
export interface LandingSensorOptions {
  name: string;
  description?: string;
  /** The prefix to watch, e.g. `raw/`. */
  prefix: string;
  list: ObjectLister;
  /** Assets to materialize for the partitions that received new objects. */
  selection: string;
  intervalSeconds?: number;
  /** The partition of an object key, or null to ignore it (default {@link landingPartitionOf}). */
  partitionOf?: (key: string) => string | null;
  /**
   * Whether a new object starts a run (default: every one). Asked only for objects new since the
   * previous evaluation, e.g. to ignore objects the pipeline landed itself and react to re-deliveries.
   */
  accept?: (object: LandingObject, context: SensorContext) => boolean | Promise<boolean>;
  /** What the objects `accept` refuses are, in the evaluation's message (default `not accepted`). */
  notAccepted?: string;
  /**
   * The asset that reads an object, for a partition: its `asset[partition]` step is run even when
   * it is up to date (the planner cannot see a new object version), and everything downstream that
   * changes with it follows. Absent: nothing is forced.
   */
  readBy?: (key: string) => string | null;
  /**
   * Which partitions the run covers: `'objects'` (default) those of the new objects; `'onward'` every
   * partition from the earliest of them up to now, for pipelines where a day's data re-opens later
   * days (e.g. reads of versions as of each day). Only stale partitions are planned either way.
   */
  reopen?: 'objects' | 'onward';
  enabled?: boolean;
  retry?: { maxRetries: number };
  tags?: Record<string, string>;
}

/**
 * A sensor on a landing zone: objects under `prefix` that are new since the previous evaluation
 * (modified after the cursor) start one run of `selection` for the partitions they belong to. The
 * request key is a hash of the new objects, so the same objects never start a second run.
 *
 * @example
 * landingSensor({
 *   name: 'landing_arrivals',
 *   prefix: 'raw/',
 *   // the object store resource: a local folder or S3
 *   list: async function* (prefix, { resource }) {
 *     yield* (await resource(landingStore)).list(prefix);
 *   },
 *   selection: 'raw_transactions+',
 * });
 */
export function landingSensor(options: LandingSensorOptions): SensorDefinition {
  const partitionOf = options.partitionOf ?? landingPartitionOf;
  return defineSensor({
    name: options.name,
    description: options.description ?? `new objects under \`${options.prefix}\` → ${options.selection}`,
    intervalSeconds: options.intervalSeconds ?? 30,
    enabled: options.enabled,
    retry: options.retry,
    async evaluate(context) {
      const { cursor } = context;
      const previous = parseCursor(cursor);
      const seenAtT = new Set(previous.keys);
      const fresh: LandingObject[] = [];
      for await (const object of options.list(options.prefix, context)) {
        const t = object.lastModified.toISOString();
        if (t > previous.t || (t === previous.t && !seenAtT.has(object.key))) {
          fresh.push({ key: object.key, lastModified: object.lastModified });
        }
      }
      if (fresh.length === 0) return { cursor, message: `no new objects under ${options.prefix}` };
      const accepted: LandingObject[] = [];
      for (const object of fresh)
        if (!options.accept || (await options.accept(object, context))) accepted.push(object);
      const newest = [previous.t, ...fresh.map((o) => o.lastModified.toISOString())].sort().at(-1)!;
      const keysAtNewest = fresh.filter((o) => o.lastModified.toISOString() === newest).map((o) => o.key);
      const next: LandingCursor = {
        t: newest,
        keys: newest === previous.t ? [...previous.keys, ...keysAtNewest] : keysAtNewest,
      };
      const withPartition = accepted.filter((o) => partitionOf(o.key) !== null);
      const partitions = [...new Set(withPartition.map((o) => partitionOf(o.key)!))].sort();
      const notes = [
        fresh.length > accepted.length
          ? `${fresh.length - accepted.length} ${options.notAccepted ?? 'not accepted'}`
          : '',
        accepted.length > withPartition.length
          ? `${accepted.length - withPartition.length} without a partition`
          : '',
      ].filter(Boolean);
      const note = notes.length ? `; ${notes.join(', ')} ignored` : '';
      if (partitions.length === 0) {
        return { cursor: JSON.stringify(next), message: `${fresh.length} new objects${note}` };
      }
      const digest = createHash('sha256');
      for (const o of [...withPartition].sort((a, b) => (a.key < b.key ? -1 : 1))) {
        digest.update(`${o.key}\u0000${o.lastModified.toISOString()}\n`);
      }
      const force = [
        ...new Set(
          withPartition.flatMap((o) => {
            const asset = options.readBy?.(o.key);
            return asset ? [`${asset}[${partitionOf(o.key)}]`] : [];
          }),
        ),
      ].sort();
      // NOTE: partition keys are dates or names; the later of two is the greater string.
      const through = [partitions[partitions.length - 1], context.now.toISOString().slice(0, 10)].sort()[1];
      const request: RunRequest = {
        key: `objects-${digest.digest('hex').slice(0, 16)}`,
        selection: options.selection,
        partitions: options.reopen === 'onward' ? { from: partitions[0], to: through } : { keys: partitions },
        ...(force.length ? { force } : {}),
        tags: { ...(options.tags ?? {}), newObjects: String(accepted.length) },
      };
      return {
        runRequests: [request],
        cursor: JSON.stringify(next),
        message: `${accepted.length} new objects for ${partitions.length} partitions${note}`,
      };
    },
  });
}
