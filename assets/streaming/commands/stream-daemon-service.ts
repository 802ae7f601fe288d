import type { CommandContext } from '../../../framework/index.js';
import type { BackgroundService } from '../../../schedules/index.js';
import { ConsumerService } from '../consumer-service.js';
import { streamSettings } from './stream-options.js';

/**
 * The daemon's stream consumer, when `resources.stream.consumeInDaemon` is true: the same consumer
 * as `shopflow stream consume`, restarting from its checkpoint after a failure.
 */
export async function streamDaemonServices(context: CommandContext): Promise<BackgroundService[]> {
  const settings = streamSettings(context);
  if (!settings.consumeInDaemon) return [];
  const runtime = await context.runtime();
  const service = new ConsumerService({ runtime, settings, home: context.home, log: context.log });
  return [{ name: 'stream consumer', run: () => service.run(), stop: () => service.stop() }];
}
