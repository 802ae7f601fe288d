import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { createKinesisTransport } from '../../resources/stream/kinesis/kinesis-transport.js';
import { LOCAL_KINESIS_CREDENTIALS } from '../../resources/stream/local/local-kinesis-server.js';
import type { StreamTransport } from '../../resources/stream/stream-transport.js';

// NOTE: kinesalite ships no type declarations; require gives it the small shape used here.
const kinesalite = createRequire(import.meta.url)('kinesalite') as (
  options: Record<string, unknown>,
) => Server;

/** A real Kinesis API (kinesalite, in memory) on loopback for one test file. */
export interface TestKinesis {
  /** `http://127.0.0.1:<port>` */
  endpoint: string;
  /** A transport for `stream` on this server (created with `shards` shards when missing). */
  transport(stream: string, shards?: number): Promise<StreamTransport>;
  stop(): Promise<void>;
}

/**
 * Starts kinesalite on 127.0.0.1 with a random port and no artificial delays (streams and
 * reshards become ACTIVE at once).
 *
 * @example
 * let kinesis: TestKinesis;
 * beforeAll(async () => { kinesis = await startTestKinesis(); });
 * afterAll(async () => { await kinesis.stop(); });
 */
export async function startTestKinesis(): Promise<TestKinesis> {
  const server = kinesalite({ createStreamMs: 0, updateStreamMs: 0, deleteStreamMs: 0, shardLimit: 100 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const transports: StreamTransport[] = [];
  return {
    endpoint,
    async transport(stream, shards = 2) {
      const transport = createKinesisTransport({
        stream,
        endpoint,
        region: 'us-east-1',
        credentials: { ...LOCAL_KINESIS_CREDENTIALS },
      });
      await transport.ensureStream(shards);
      transports.push(transport);
      return transport;
    },
    async stop() {
      for (const t of transports) t.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
