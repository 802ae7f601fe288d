import type { ShopflowRuntime } from '../framework/index.js';
import type { accessPolicy } from './http/access-policy.js';
import type { RunEventStreams } from './run-event-stream.js';
import type { RunLauncher } from './run-launcher.js';
import type { StatusCache } from './views/status-cache.js';

/** What every route of the server shares. */
export interface ServerContext {
  runtime: ShopflowRuntime;
  statusCache: StatusCache;
  launcher: RunLauncher;
  streams: RunEventStreams;
  access: ReturnType<typeof accessPolicy>;
  readOnly: boolean;
  tokenRequired: boolean;
}
