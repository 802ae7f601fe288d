import type { ClickstreamSettings } from './clickstream-settings.js';

/** The first day the stream's tables have a partition for; earlier event times are dead letters. */
export const STREAM_FIRST_DAY = '2024-01-01';

/** The windowing parameters of the consumer, in ms. */
export interface WindowSettings {
  boundMs: number;
  latenessMs: number;
  sessionGapMs: number;
  idleMs: number;
  dedupMs: number;
  futureToleranceMs: number;
  earliestEventTime: number;
}

/** The windowing parameters of `resources.stream`, in ms. */
export function windowSettingsOf(settings: ClickstreamSettings): WindowSettings {
  return {
    boundMs: settings.watermarkBoundSeconds * 1000,
    latenessMs: settings.allowedLatenessSeconds * 1000,
    sessionGapMs: settings.sessionGapMinutes * 60_000,
    idleMs: settings.idleShardSeconds * 1000,
    dedupMs: settings.dedupMinutes * 60_000,
    futureToleranceMs: settings.futureToleranceSeconds * 1000,
    earliestEventTime: Date.parse(`${STREAM_FIRST_DAY}T00:00:00Z`),
  };
}
