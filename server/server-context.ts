import type { ShopflowRuntime } from '../framework/index.js';
import type { AccessPolicy } from './http/access-policy.js';
import type { AllowedHosts } from './http/allowed-hosts.js';
import type { PathScrubber } from './http/path-scrubber.js';
import type { RunEventStreams } from './run-event-stream.js';
import type { RunLauncher } from './run-launcher.js';
import type { RunStepSummaries } from './views/run-step-summaries.js';
import type { StatusCache } from './views/status-cache.js';

/** What every route of the server shares. */
export interface ServerContext {
  runtime: ShopflowRuntime;
  statusCache: StatusCache;
  stepSummaries: RunStepSummaries;
  launcher: RunLauncher;
  streams: RunEventStreams;
  access: AccessPolicy;
  allowedHosts: AllowedHosts;
  /** Rewrites absolute paths of this machine in text sent to clients. */
  scrub: PathScrubber;
  readOnly: boolean;
  tokenRequired: boolean;
  publicRead: boolean;
}
