import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { exampleDefinitions } from '../../fixtures/example-graph.js';
import { openTestRuntime, tempHome } from '../../support/example-runtime.js';
import {
  ColumnLineageDatasetFacet,
  ErrorMessageRunFacet,
  OpenLineageRunEvent,
  OutputStatisticsFacet,
  ParentRunFacet,
  SchemaDatasetFacet,
} from '../../support/openlineage-schema.js';

const NOW = new Date('2024-01-08T06:00:00.000Z');
type Event = ReturnType<typeof OpenLineageRunEvent.parse>;

/** A stand-in for Marquez: records every POST to /api/v1/lineage with its authorization header. */
async function lineageReceiver() {
  const received: Array<{ path: string; authorization?: string; event: Event }> = [];
  const server = createServer((request: IncomingMessage, response) => {
    let body = '';
    request.on('data', (chunk) => {
      body += chunk;
    });
    request.on('end', () => {
      received.push({
        path: request.url ?? '',
        authorization: request.headers.authorization,
        event: JSON.parse(body),
      });
      response.writeHead(201).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/api/v1/lineage`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('OpenLineage run events of a run', () => {
  const home = tempHome('shopflow-openlineage-');
  let receiver: Awaited<ReturnType<typeof lineageReceiver>>;
  let events: Event[];
  let runId: string;
  beforeAll(async () => {
    receiver = await lineageReceiver();
    process.env.TEST_OPENLINEAGE_KEY = 'lineage-key-0123456789';
    const runtime = await openTestRuntime(exampleDefinitions({ failDays: ['2024-01-05'] }), home.home, {
      now: () => NOW,
      config: {
        openlineage: {
          namespace: 'shopflow-test',
          file: 'logs/openlineage.jsonl',
          url: receiver.url,
          apiKeyEnv: 'TEST_OPENLINEAGE_KEY',
        },
      },
    });
    try {
      ({ runId } = await runtime.execute(await runtime.plan({ selection: '+daily_stats' })));
    } finally {
      await runtime.close();
    }
    events = readFileSync(join(home.home, 'logs/openlineage.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
  });
  afterAll(async () => {
    delete process.env.TEST_OPENLINEAGE_KEY;
    await receiver?.close();
    home.cleanup();
  });

  test('every event follows the OpenLineage RunEvent schema, and the HTTP endpoint gets the same events', () => {
    expect(events.length).toBeGreaterThan(10);
    for (const event of events) OpenLineageRunEvent.parse(event);
    expect(receiver.received.map((r) => r.event)).toEqual(events);
    for (const r of receiver.received) {
      expect(r.path).toBe('/api/v1/lineage');
      expect(r.authorization).toBe('Bearer lineage-key-0123456789');
    }
  });

  test('the run is a job with START and FAIL; each step a child run with START and COMPLETE or FAIL', () => {
    const run = events.filter((e) => e.job.name === 'shopflow_run');
    expect(run.map((e) => e.eventType)).toEqual(['START', 'FAIL']);
    expect(run.every((e) => e.run.runId === runId)).toBe(true);
    ErrorMessageRunFacet.parse(run[1].run.facets?.errorMessage);

    const readings = events.filter((e) => e.job.name === 'readings');
    const byStep = new Map<string, string[]>();
    for (const e of readings) byStep.set(e.run.runId, [...(byStep.get(e.run.runId) ?? []), e.eventType]);
    expect(byStep.size).toBe(7);
    expect([...byStep.values()].filter((types) => types.join() === 'START,COMPLETE')).toHaveLength(6);
    const failed = readings.find((e) => e.eventType === 'FAIL')!;
    expect(failed.run.facets?.shopflow).toMatchObject({ partitionKey: '2024-01-05' });
    expect(ErrorMessageRunFacet.parse(failed.run.facets?.errorMessage).message).toContain(
      'source has no file for 2024-01-05',
    );
    for (const e of readings) {
      const parent = ParentRunFacet.parse(e.run.facets?.parent);
      expect(parent.run.runId).toBe(runId);
      expect(parent.job).toEqual({ namespace: 'shopflow-test', name: 'shopflow_run' });
    }
  });

  test('inputs are the upstream assets; the output carries its schema, version and statistics', () => {
    const complete = events.find((e) => e.job.name === 'daily_stats' && e.eventType === 'COMPLETE')!;
    expect(complete.inputs).toEqual([{ namespace: 'shopflow-test', name: 'readings' }]);
    const [output] = complete.outputs!;
    expect(output.name).toBe('daily_stats');
    const schema = SchemaDatasetFacet.parse(output.facets?.schema);
    expect(schema.fields.map((f) => f.name).length).toBeGreaterThan(1);
    expect(output.facets?.version).toMatchObject({
      datasetVersion: expect.stringMatching(/^[0-9a-f]{16,}$/),
    });
    const statistics = OutputStatisticsFacet.parse(output.outputFacets?.outputStatistics);
    expect(statistics.rowCount).toBeGreaterThan(0);
    expect(statistics.size).toBeGreaterThan(0);
  });

  test('the output of a COMPLETE carries the column lineage read from the asset statement', () => {
    const complete = events.find((e) => e.job.name === 'daily_stats' && e.eventType === 'COMPLETE')!;
    const { fields } = ColumnLineageDatasetFacet.parse(complete.outputs![0].facets?.columnLineage);
    const input = (field: string, subtype: string) => ({
      namespace: 'shopflow-test',
      name: 'readings',
      field,
      transformations: [{ type: 'DIRECT', subtype, masking: false }],
    });
    expect(fields).toEqual({
      station_id: { inputFields: [input('station_id', 'IDENTITY')] },
      min_t: { inputFields: [input('temperature', 'AGGREGATION')] },
      max_t: { inputFields: [input('temperature', 'AGGREGATION')] },
      mean_t: { inputFields: [input('temperature', 'AGGREGATION')] },
    });
    const starts = events.filter((e) => e.job.name === 'daily_stats' && e.eventType === 'START');
    expect(starts.every((e) => e.outputs![0].facets?.columnLineage === undefined)).toBe(true);
  });
});

describe('an unreachable endpoint', () => {
  test('is logged and never fails the run', async () => {
    const home = tempHome('shopflow-openlineage-down-');
    const receiver = await lineageReceiver();
    await receiver.close();
    const runtime = await openTestRuntime(exampleDefinitions(), home.home, {
      now: () => NOW,
      config: { openlineage: { url: receiver.url, timeoutMs: 2000 } },
    });
    try {
      const result = await runtime.execute(await runtime.plan({ selection: 'stations' }));
      expect(result.status).toBe('success');
    } finally {
      await runtime.close();
      home.cleanup();
    }
  });
});
