import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { assertSafeToServe } from '../http/listen-safety.js';
import { tokenMatches } from '../http/token-matches.js';
import type { PrometheusMetrics } from './prometheus-metrics.js';

/** A running `/metrics` endpoint. */
export interface MetricsEndpoint {
  /** `http://host:port/metrics`. */
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Serves `GET /metrics` (Prometheus text format) for a process that has no web server, e.g.
 * `shopflow daemon --metrics-port 9464`. The same rules as `shopflow serve`: a host other than
 * loopback needs `SHOPFLOW_UI_TOKEN`, and with a token every scrape must send
 * `Authorization: Bearer <token>` (Prometheus: `authorization: { credentials: … }`).
 *
 * @example
 * const endpoint = await serveMetrics({ metrics: prometheus, host: '127.0.0.1', port: 9464 });
 * endpoint.url; // 'http://127.0.0.1:9464/metrics'
 */
export async function serveMetrics(options: {
  metrics: PrometheusMetrics;
  host: string;
  port: number;
  token?: string;
}): Promise<MetricsEndpoint> {
  const token = options.token || undefined;
  assertSafeToServe({ host: options.host, token });
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (path !== '/metrics' || (request.method !== 'GET' && request.method !== 'HEAD')) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found: scrape GET /metrics\n');
      return;
    }
    const bearer = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
    if (token !== undefined && (bearer === undefined || !tokenMatches(token, bearer))) {
      response
        .writeHead(401, { 'content-type': 'text/plain', 'www-authenticate': 'Bearer' })
        .end('GET /metrics needs `Authorization: Bearer <token>` (SHOPFLOW_UI_TOKEN)\n');
      return;
    }
    options.metrics.text().then(
      (text) => response.writeHead(200, { 'content-type': options.metrics.contentType }).end(text),
      () => response.writeHead(503, { 'content-type': 'text/plain' }).end('metrics unavailable\n'),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}/metrics`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
