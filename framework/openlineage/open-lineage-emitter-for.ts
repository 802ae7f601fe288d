import { isAbsolute, join } from 'node:path';
import type { Logger } from 'pino';
import type { ShopflowConfig } from '../config/config-schema.js';
import type { ResolvedColumn } from '../governance/graph-classification.js';
import type { AssetGraph } from '../graph/asset-graph.js';
import { OpenLineageEmitter, type OpenLineageTransport } from './openlineage-emitter.js';
import { FileTransport, HttpTransport } from './transports.js';

export { OpenLineageEmitter };

/**
 * The emitter the `openlineage` section asks for (a file under the home, an HTTP endpoint, or both),
 * or undefined when there is no such section or it names neither.
 *
 * @example
 * openLineageEmitter(config, graph, log)?.observe(event);
 */
export function openLineageEmitter(
  config: ShopflowConfig,
  graph: AssetGraph,
  log: Logger,
  columnLineage?: () => Promise<ReadonlyMap<string, readonly ResolvedColumn[]>>,
): OpenLineageEmitter | undefined {
  const section = config.openlineage;
  if (!section) return undefined;
  const transports: OpenLineageTransport[] = [];
  if (section.file)
    transports.push(
      new FileTransport(isAbsolute(section.file) ? section.file : join(config.home, section.file)),
    );
  if (section.url)
    transports.push(
      new HttpTransport({
        url: section.url,
        apiKey: process.env[section.apiKeyEnv] || undefined,
        timeoutMs: section.timeoutMs,
      }),
    );
  if (transports.length === 0) return undefined;
  return new OpenLineageEmitter({ graph, namespace: section.namespace, transports, log, columnLineage });
}
