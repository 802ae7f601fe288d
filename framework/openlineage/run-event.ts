/** The parts of an OpenLineage run event ShopFlow writes (spec: https://openlineage.io/spec/2-0-2/OpenLineage.json). */
export const OPENLINEAGE_SCHEMA_URL = 'https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent';
/** Where ShopFlow's events and facets say they come from (a URI, as the spec asks). */
export const OPENLINEAGE_PRODUCER = 'urn:shopflow:framework:openlineage';
/** The schema of ShopFlow's own run facet `shopflow` (run id, asset, partition), described in docs/lineage.md. */
export const SHOPFLOW_FACET_SCHEMA = 'urn:shopflow:facets:ShopflowRunFacet';

export type OpenLineageEventType = 'START' | 'COMPLETE' | 'ABORT' | 'FAIL';

/** Every facet carries who wrote it and the schema it follows. */
export interface Facet {
  _producer: string;
  _schemaURL: string;
  [field: string]: unknown;
}

export interface OpenLineageDataset {
  namespace: string;
  name: string;
  facets?: Record<string, Facet>;
  outputFacets?: Record<string, Facet>;
}

export interface OpenLineageRunEvent {
  eventType: OpenLineageEventType;
  eventTime: string;
  run: { runId: string; facets?: Record<string, Facet> };
  job: { namespace: string; name: string; facets?: Record<string, Facet> };
  inputs: OpenLineageDataset[];
  outputs: OpenLineageDataset[];
  producer: string;
  schemaURL: string;
}

/** A facet with its `_producer` and `_schemaURL` (facet schemas: https://openlineage.io/spec/facets/). */
export function facet(schema: string, fields: Record<string, unknown>): Facet {
  return {
    _producer: OPENLINEAGE_PRODUCER,
    _schemaURL: `https://openlineage.io/spec/facets/${schema}`,
    ...fields,
  };
}
