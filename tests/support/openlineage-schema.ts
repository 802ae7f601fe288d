import { z } from 'zod';

// The OpenLineage RunEvent as its specification defines it (OpenLineage.json and the facet schemas
// at https://openlineage.io/spec/), written down here because no package on npm ships the schema:
// the required fields, their formats, the event types, and the base fields every facet carries.
const uri = z.string().refine((value) => URL.canParse(value), 'a URI');
const baseFacet = z.looseObject({ _producer: uri, _schemaURL: uri });
const facets = z.record(z.string(), baseFacet);
const dataset = z.looseObject({
  namespace: z.string().min(1),
  name: z.string().min(1),
  facets: facets.optional(),
});

export const SchemaDatasetFacet = baseFacet.extend({
  fields: z.array(
    z.looseObject({ name: z.string(), type: z.string().optional(), description: z.string().optional() }),
  ),
});
// ColumnLineageDatasetFacet 1-2-0: per output field, the input fields it is computed from and how.
export const ColumnLineageDatasetFacet = baseFacet.extend({
  fields: z.record(
    z.string(),
    z.looseObject({
      inputFields: z.array(
        z.looseObject({
          namespace: z.string().min(1),
          name: z.string().min(1),
          field: z.string().min(1),
          transformations: z
            .array(
              z.looseObject({
                type: z.enum(['DIRECT', 'INDIRECT']),
                subtype: z.string().optional(),
                description: z.string().optional(),
                masking: z.boolean().optional(),
              }),
            )
            .optional(),
        }),
      ),
    }),
  ),
});
export const ParentRunFacet = baseFacet.extend({
  run: z.looseObject({ runId: z.uuid() }),
  job: z.looseObject({ namespace: z.string(), name: z.string() }),
});
export const ErrorMessageRunFacet = baseFacet.extend({
  message: z.string(),
  programmingLanguage: z.string(),
  stackTrace: z.string().optional(),
});
export const OutputStatisticsFacet = baseFacet.extend({
  rowCount: z.int().nonnegative().optional(),
  size: z.int().nonnegative().optional(),
});

export const OpenLineageRunEvent = z.looseObject({
  eventType: z.enum(['START', 'RUNNING', 'COMPLETE', 'ABORT', 'FAIL', 'OTHER']),
  eventTime: z.iso.datetime({ offset: true }),
  run: z.looseObject({ runId: z.uuid(), facets: facets.optional() }),
  job: z.looseObject({ namespace: z.string().min(1), name: z.string().min(1), facets: facets.optional() }),
  inputs: z.array(dataset.extend({ inputFacets: facets.optional() })).optional(),
  outputs: z.array(dataset.extend({ outputFacets: facets.optional() })).optional(),
  producer: uri,
  schemaURL: uri,
});
