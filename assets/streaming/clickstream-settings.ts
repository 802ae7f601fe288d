import { z } from 'zod';
import { StreamConnectionSchema } from '../../resources/stream/stream-config.js';

const seconds = (min: number, max: number) =>
  z.preprocess(
    (v) => (typeof v === 'string' && /^\d+(\.\d+)?$/.test(v.trim()) ? Number(v) : v),
    z.number().min(min).max(max),
  );
const flag = () => z.preprocess((v) => (v === 'true' ? true : v === 'false' ? false : v), z.boolean());

/**
 * `resources.stream`: where the clickstream is (see `StreamConnectionSchema`) and how the consumer
 * windows it. Event time is the device's `device_ts`; the watermark is the lowest, over the shards
 * still being read, of each shard's latest event time minus `watermarkBoundSeconds`; a window
 * closes once the watermark passes its end plus `allowedLatenessSeconds`, and an event whose
 * window has closed is late (late-events table). A shard silent for `idleShardSeconds` of the
 * stream's clock does not hold the watermark back.
 */
export const ClickstreamSettingsSchema = StreamConnectionSchema.extend({
  /** Expected out-of-orderness: how far below the shards' latest event time the watermark stays. */
  watermarkBoundSeconds: seconds(0, 3600).default(10),
  /** Extra time a window stays open after the watermark passed its end. */
  allowedLatenessSeconds: seconds(0, 3600).default(30),
  /** A session ends after this much inactivity. */
  sessionGapMinutes: seconds(1, 24 * 60).default(30),
  /** A shard without records for this long (stream clock) stops holding the watermark back. */
  idleShardSeconds: seconds(1, 3600).default(10),
  /** Duplicates (same event id) are recognised while their minute is at most this old. */
  dedupMinutes: seconds(1, 24 * 60).default(10),
  /** Event times later than arrival plus this are dead letters (a device clock far ahead). */
  futureToleranceSeconds: seconds(0, 24 * 3600).default(300),
  /** Records are processed in slices of this much arrival time; one checkpoint per slice. */
  sliceMillis: seconds(10, 60_000).default(200),
  /** Wait between reads of a caught-up shard (Kinesis allows 5 reads per second per shard). */
  pollMillis: seconds(0, 60_000).default(200),
  /** Records per GetRecords call (Kinesis maximum 10,000). */
  readLimit: seconds(1, 10_000).default(10_000),
  /** Allowance for the stream's clock running behind this machine's, for idle shards. */
  clockSkewMillis: seconds(0, 60_000).default(1000),
  /** Whether `shopflow daemon` also runs the consumer. */
  consumeInDaemon: flag().default(false),
});

export type ClickstreamSettings = z.output<typeof ClickstreamSettingsSchema>;
