import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { ResolvedColumn } from '../governance/graph-classification.js';
import type { AssetGraph } from '../graph/asset-graph.js';
import type { EventRecord } from '../instance/instance-store.js';
import { schemaColumns } from '../io/schema-columns.js';
import {
  facet,
  OPENLINEAGE_PRODUCER,
  OPENLINEAGE_SCHEMA_URL,
  type OpenLineageDataset,
  type OpenLineageEventType,
  type OpenLineageRunEvent,
  SHOPFLOW_FACET_SCHEMA,
} from './run-event.js';

/** Where run events go: a JSON-lines file, an HTTP endpoint (Marquez), a test. */
export interface OpenLineageTransport {
  send(event: OpenLineageRunEvent): Promise<void>;
}

/**
 * A UUID derived from `text` (SHA-256, version and variant bits of a v5-style UUID): the same step
 * of the same run always gets the same OpenLineage run id, in every process.
 */
export function derivedUuid(text: string): string {
  const h = createHash('sha256').update(text).digest();
  h[6] = (h[6] & 0x0f) | 0x50;
  h[8] = (h[8] & 0x3f) | 0x80;
  const hex = h.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const RUN_JOB = 'shopflow_run';

/**
 * Turns the run events of this process into OpenLineage run events: the ShopFlow run is a job
 * `shopflow_run` (START, then COMPLETE, FAIL or ABORT), and each step is a run of the job named after
 * its asset, a child of the ShopFlow run (`parent` facet), with the asset's upstream assets as
 * inputs and the asset as output — with its `schema` and `documentation` facets, and on COMPLETE
 * its `version` (the data version) and `outputStatistics` (rows, bytes). A failed step is a FAIL with
 * an `errorMessage` facet; a step skipped after it started (nothing upstream changed) is an ABORT.
 * Datasets are named by asset key in the configured namespace.
 *
 * @example
 * const emitter = new OpenLineageEmitter({ graph, namespace: 'shopflow', transports: [file] });
 * runtime.onEvent((event) => void emitter.observe(event));
 */
export class OpenLineageEmitter {
  private readonly started = new Set<string>();
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly options: {
      graph: AssetGraph;
      namespace: string;
      transports: OpenLineageTransport[];
      log?: Logger;
      /**
       * The column lineage of the graph (asset → its columns' upstream columns), for the
       * `columnLineage` facet of each step's COMPLETE output; read once, on the first COMPLETE.
       */
      columnLineage?: () => Promise<ReadonlyMap<string, readonly ResolvedColumn[]>>;
    },
  ) {}

  /**
   * Sends the event's OpenLineage event after every earlier one, so a backend sees each START
   * before its COMPLETE; resolves once it was delivered (or given up and logged).
   */
  observe(event: EventRecord): Promise<void> {
    const out = this.translate(event);
    if (!out) return this.queue;
    this.queue = this.queue.then(async () => this.deliver(await this.withColumnLineage(out)));
    return this.queue;
  }

  /**
   * Adds the `columnLineage` facet (OpenLineage 1-2-0) to a step's COMPLETE output: per column, the
   * upstream columns its values come from, DIRECT with subtype IDENTITY, TRANSFORMATION or
   * AGGREGATION, and `masking` when a hash pseudonymizes them.
   */
  private async withColumnLineage(out: OpenLineageRunEvent): Promise<OpenLineageRunEvent> {
    const [output] = out.outputs;
    if (out.eventType !== 'COMPLETE' || !output || !this.options.columnLineage) return out;
    let columns: readonly ResolvedColumn[] | undefined;
    try {
      columns = (await this.options.columnLineage()).get(output.name);
    } catch (error) {
      this.options.log?.warn({ err: error }, 'the column lineage could not be read; events go without it');
      return out;
    }
    const fields = Object.fromEntries(
      (columns ?? [])
        .filter((c) => c.origins.length > 0)
        .map((c) => [
          c.column,
          {
            inputFields: c.origins.map((o) => ({
              namespace: this.options.namespace,
              name: o.asset,
              field: o.column,
              transformations: [{ type: 'DIRECT', subtype: o.transform, masking: o.masked }],
            })),
          },
        ]),
    );
    if (Object.keys(fields).length === 0) return out;
    output.facets = {
      ...output.facets,
      columnLineage: facet('1-2-0/ColumnLineageDatasetFacet.json#/$defs/ColumnLineageDatasetFacet', {
        fields,
      }),
    };
    return out;
  }

  private async deliver(out: OpenLineageRunEvent): Promise<void> {
    for (const transport of this.options.transports) {
      try {
        await transport.send(out);
      } catch (error) {
        this.options.log?.warn(
          { err: error, eventType: out.eventType, job: out.job.name },
          'an OpenLineage event could not be delivered; the run goes on',
        );
      }
    }
  }

  /** The OpenLineage event for a ShopFlow event, or undefined when it has none. */
  translate(event: EventRecord): OpenLineageRunEvent | undefined {
    switch (event.type) {
      case 'run_start':
        return this.runEvent(event, 'START');
      case 'run_success':
        return this.runEvent(event, 'COMPLETE');
      case 'run_failure':
        return this.runEvent(event, 'FAIL', event.message ?? undefined);
      case 'run_canceled':
        return this.runEvent(event, 'ABORT');
      case 'step_start':
        if (!event.assetKey) return undefined;
        this.started.add(this.stepId(event));
        return this.stepEvent(event, 'START');
      case 'step_success':
        if (!event.assetKey) return undefined;
        this.started.delete(this.stepId(event));
        return this.stepEvent(event, 'COMPLETE');
      case 'step_failure':
        if (!event.assetKey) return undefined;
        this.started.delete(this.stepId(event));
        return this.stepEvent(event, 'FAIL', String(event.data.error ?? event.message ?? 'step failed'));
      case 'step_skipped':
        // NOTE: only a step that started has an OpenLineage run to end.
        if (!event.assetKey || !this.started.delete(this.stepId(event))) return undefined;
        return this.stepEvent(event, 'ABORT');
      default:
        return undefined;
    }
  }

  private stepId(event: EventRecord): string {
    return derivedUuid(`${event.runId}/${event.assetKey}/${event.partitionKey ?? ''}`);
  }

  private base(event: EventRecord, eventType: OpenLineageEventType) {
    return {
      eventType,
      eventTime: event.ts,
      producer: OPENLINEAGE_PRODUCER,
      schemaURL: OPENLINEAGE_SCHEMA_URL,
    };
  }

  private runEvent(event: EventRecord, eventType: OpenLineageEventType, error?: string): OpenLineageRunEvent {
    return {
      ...this.base(event, eventType),
      run: { runId: event.runId, facets: error ? { errorMessage: errorFacet(error) } : undefined },
      job: {
        namespace: this.options.namespace,
        name: RUN_JOB,
        facets: {
          jobType: facet('2-0-3/JobTypeJobFacet.json#/$defs/JobTypeJobFacet', {
            processingType: 'BATCH',
            integration: 'SHOPFLOW',
            jobType: 'RUN',
          }),
        },
      },
      inputs: [],
      outputs: [],
    };
  }

  private stepEvent(
    event: EventRecord,
    eventType: OpenLineageEventType,
    error?: string,
  ): OpenLineageRunEvent {
    const { graph, namespace } = this.options;
    const asset = graph.get(event.assetKey!);
    const dataset = (key: string): OpenLineageDataset => ({ namespace, name: key });
    const output: OpenLineageDataset = {
      ...dataset(asset.key),
      facets: {
        schema: facet('1-1-1/SchemaDatasetFacet.json#/$defs/SchemaDatasetFacet', {
          fields: schemaColumns(asset.schema).map((c) => ({
            name: c.name,
            type: c.type,
            ...(c.description ? { description: c.description } : {}),
          })),
        }),
        documentation: facet('1-0-1/DocumentationDatasetFacet.json#/$defs/DocumentationDatasetFacet', {
          description: asset.description,
        }),
      },
    };
    if (eventType === 'COMPLETE') {
      const rows = event.data.rowCount;
      const bytes = event.data.bytesWritten;
      if (typeof event.data.dataVersion === 'string')
        output.facets!.version = facet(
          '1-0-1/DatasetVersionDatasetFacet.json#/$defs/DatasetVersionDatasetFacet',
          {
            datasetVersion: event.data.dataVersion,
          },
        );
      output.outputFacets = {
        outputStatistics: facet(
          '1-0-2/OutputStatisticsOutputDatasetFacet.json#/$defs/OutputStatisticsOutputDatasetFacet',
          {
            ...(typeof rows === 'number' ? { rowCount: rows } : {}),
            ...(typeof bytes === 'number' ? { size: bytes } : {}),
          },
        ),
      };
    }
    const facets: Record<string, ReturnType<typeof facet>> = {
      parent: facet('1-1-0/ParentRunFacet.json#/$defs/ParentRunFacet', {
        run: { runId: event.runId },
        job: { namespace, name: RUN_JOB },
      }),
      shopflow: {
        _producer: OPENLINEAGE_PRODUCER,
        _schemaURL: SHOPFLOW_FACET_SCHEMA,
        runId: event.runId,
        assetKey: asset.key,
        partitionKey: event.partitionKey,
      },
    };
    if (error) facets.errorMessage = errorFacet(error);
    return {
      ...this.base(event, eventType),
      run: { runId: this.stepId(event), facets },
      job: {
        namespace,
        name: asset.key,
        facets: {
          jobType: facet('2-0-3/JobTypeJobFacet.json#/$defs/JobTypeJobFacet', {
            processingType: 'BATCH',
            integration: 'SHOPFLOW',
            jobType: 'ASSET',
          }),
          ...(asset.owners.length
            ? {
                ownership: facet('1-0-1/OwnershipJobFacet.json#/$defs/OwnershipJobFacet', {
                  owners: asset.owners.map((name) => ({ name })),
                }),
              }
            : {}),
        },
      },
      inputs: [...new Set(graph.upstream(asset.key).map((d) => d.assetKey))].map(dataset),
      outputs: [output],
    };
  }
}

function errorFacet(message: string) {
  return facet('1-0-1/ErrorMessageRunFacet.json#/$defs/ErrorMessageRunFacet', {
    message,
    programmingLanguage: 'TypeScript',
  });
}
