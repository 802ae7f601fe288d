import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  method: string;
  path: string;
  contentType: string | undefined;
  body: any;
}

/** What the receiver does with request number `index` (0-based): answer with a status, or never answer. */
export type ReceiverBehaviour = (index: number) => number | 'hang';

/**
 * A real HTTP server on 127.0.0.1 standing in for a Slack incoming webhook: records every request
 * and answers as `behaviour` says. The URL carries a secret-looking path, as real webhooks do.
 */
export async function startWebhookReceiver(behaviour: ReceiverBehaviour = () => 200) {
  const requests: ReceivedRequest[] = [];
  const hanging: ServerResponse[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let text = '';
    req.on('data', (chunk) => {
      text += chunk;
    });
    req.on('end', () => {
      const index = requests.length;
      requests.push({
        method: req.method ?? '',
        path: req.url ?? '',
        contentType: req.headers['content-type'],
        body: text ? JSON.parse(text) : undefined,
      });
      const answer = behaviour(index);
      if (answer === 'hang') {
        hanging.push(res);
        return;
      }
      res.writeHead(answer, { 'content-type': 'text/plain' }).end(answer < 300 ? 'ok' : 'error');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/services/T0SHOP/B0FLOW/xoxb-s3cr3t-webhook-t0ken`,
    secret: 'xoxb-s3cr3t-webhook-t0ken',
    requests,
    async close() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
