import { daily } from '../../framework/index.js';
import { STREAM_FIRST_DAY } from './window-settings.js';

/**
 * Daily partitions (UTC) of the stream's tables: from the first day the stream accepts up to
 * tomorrow (device clocks may run ahead of the stream by the configured tolerance). Only the
 * partitions the consumer has written exist for readers.
 */
export const streamDays = daily({ start: STREAM_FIRST_DAY, timezone: 'UTC', endOffset: 2 });
