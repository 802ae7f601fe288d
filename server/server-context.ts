import type { ShopflowRuntime } from '../framework/index.js';
import type { BackfillLauncher } from './backfill-launcher.js';
import type { AccessPolicy } from './http/access-policy.js';
import type { AllowedHosts } from './http/allowed-hosts.js';
import type { PathScrubber } from './http/path-scrubber.js';
import type { RunEventStreams } from './run-event-stream.js';
import type { RunLauncher } from './run-launcher.js';
import type { ServerAutomation } from './server-automation.js';
import type { GraphLayouts } from './views/graph-layout.js';
import type { RunStepSummaries } from './views/run-step-summaries.js';
import type { StatusCache } from './views/status-cache.js';

/** What every route of the server shares. */
export interface ServerContext {
  runtime: ShopflowRuntime;
  statusCache: StatusCache;
  /** Lays out the lineage graph (ELK in a worker thread), cached per shape. */
  layouts: GraphLayouts;
  stepSummaries: RunStepSummaries;
  launcher: RunLauncher;
  /** The schedules package's part of the Automation and Backfills pages, when the code location gave it. */
  automation: ServerAutomation | null;
  /** Resumes backfills here; null without `automation`. */
  backfills: BackfillLauncher | null;
  streams: RunEventStreams;
  access: AccessPolicy;
  allowedHosts: AllowedHosts;
  /** Rewrites absolute paths of this machine in text sent to clients. */
  scrub: PathScrubber;
  readOnly: boolean;
  tokenRequired: boolean;
  publicRead: boolean;
}
