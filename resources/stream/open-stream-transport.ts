import { join } from 'node:path';
import { createKinesisTransport } from './kinesis/kinesis-transport.js';
import { ensureLocalKinesis, LOCAL_KINESIS_CREDENTIALS } from './local/local-kinesis-server.js';
import type { StreamConnection } from './stream-config.js';
import type { StreamTransport } from './stream-transport.js';

/** The folder of the local Kinesis server for a connection and home. */
export function localKinesisDir(connection: StreamConnection, home: string): string {
  return connection.dir ?? join(home, 'kinesis');
}

/**
 * The transport for `resources.stream`: on `mode: local` the local server is started (or reused)
 * and the stream created when missing; on `mode: aws` the stream must exist (infra/ creates it).
 *
 * @example
 * const transport = await openStreamTransport(StreamConnectionSchema.parse({}), home);
 */
export async function openStreamTransport(
  connection: StreamConnection,
  home: string,
): Promise<StreamTransport> {
  if (connection.mode === 'aws') {
    return createKinesisTransport({
      stream: connection.name,
      region: connection.region,
      endpoint: connection.endpoint,
    });
  }
  const server = await ensureLocalKinesis(localKinesisDir(connection, home));
  const transport = createKinesisTransport({
    stream: connection.name,
    region: connection.region ?? 'us-east-1',
    endpoint: server.endpoint,
    mode: 'local',
    credentials: { ...LOCAL_KINESIS_CREDENTIALS },
  });
  await transport.ensureStream(connection.shards);
  return transport;
}
