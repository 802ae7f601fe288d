import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  request,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * What the proxy does to a matching request:
 * - `slow-down`: answers 503 with S3's `SlowDown` error XML;
 * - `forbidden`: answers 403 `AccessDenied`;
 * - `drop`: reads the start of the request, then destroys the socket (no response at all);
 * - `stall`: never answers (the client's timeout must fire);
 * - `drop-response`: forwards the request, then destroys the socket instead of relaying the answer
 *   (the server did the work; the client never learns it);
 * - `{ status, code, body? }`: answers that status with an S3 error of that code, or `body` verbatim.
 */
export type FaultAction =
  | 'slow-down'
  | 'forbidden'
  | 'drop'
  | 'stall'
  | 'drop-response'
  | { status: number; code?: string; body?: string };

/** A request as rules see it. */
export interface ProxiedRequest {
  method: string;
  /** Path without the query, e.g. `/landing/raw/a.csv`. */
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
}

export interface FaultRule {
  /** Which requests the rule applies to; all when omitted. */
  match?: (request: ProxiedRequest) => boolean;
  action: FaultAction;
  /** How many matching requests get the fault before the rule stops applying (default: all). */
  times?: number;
}

export interface ProxyLogEntry extends ProxiedRequest {
  /** `forward` or the fault applied. */
  outcome: string;
}

/** A fault-injecting HTTP proxy on loopback in front of a real server. */
export interface FaultyProxy {
  /** `http://127.0.0.1:<port>`: point the client here instead of the real server. */
  endpoint: string;
  /** Every request seen, in arrival order. */
  log: ProxyLogEntry[];
  addRule(rule: FaultRule): void;
  /** Removes all rules and empties the log. */
  reset(): void;
  /** How many logged requests satisfy `predicate` (all when omitted). */
  count(predicate?: (entry: ProxyLogEntry) => boolean): number;
  stop(): Promise<void>;
}

function s3ErrorXml(code: string, message: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message><RequestId>faulty-proxy</RequestId></Error>`;
}

function actionName(action: FaultAction): string {
  return typeof action === 'string' ? action : `status-${action.status}`;
}

function answer(response: ServerResponse, status: number, body: string): void {
  response.writeHead(status, {
    'content-type': 'application/xml',
    'content-length': Buffer.byteLength(body),
  });
  response.end(body);
}

/**
 * Starts the proxy. Rules are checked in the order added; the first that matches and still has
 * `times` left decides; otherwise the request is forwarded unchanged (headers included, so
 * SigV4 signatures stay valid).
 *
 * @example
 * const proxy = await startFaultyProxy(s3.endpoint);
 * proxy.addRule({ match: (r) => r.method === 'PUT', action: 'slow-down', times: 2 });
 * const store = createObjectStore({ ...s3.config, endpoint: proxy.endpoint });
 */
export async function startFaultyProxy(target: string): Promise<FaultyProxy> {
  const upstream = new URL(target);
  const rules: { rule: FaultRule; left: number }[] = [];
  const log: ProxyLogEntry[] = [];
  const sockets = new Set<Socket>();

  const forward = (incoming: IncomingMessage, response: ServerResponse, dropAnswer = false): void => {
    const outgoing = request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: incoming.method,
        path: incoming.url,
        headers: incoming.headers,
      },
      (reply) => {
        if (dropAnswer) {
          reply.resume();
          reply.on('end', () => incoming.socket.destroy());
          return;
        }
        response.writeHead(reply.statusCode ?? 502, reply.headers);
        reply.pipe(response);
      },
    );
    outgoing.on('error', () => response.destroy());
    incoming.pipe(outgoing);
  };

  const server = createServer((incoming, response) => {
    const url = new URL(incoming.url ?? '/', 'http://proxy');
    const seen: ProxiedRequest = {
      method: incoming.method ?? 'GET',
      path: decodeURIComponent(url.pathname),
      query: url.searchParams,
      headers: incoming.headers,
    };
    const hit = rules.find(({ rule, left }) => left > 0 && (rule.match ?? (() => true))(seen));
    if (!hit) {
      log.push({ ...seen, outcome: 'forward' });
      forward(incoming, response);
      return;
    }
    hit.left -= 1;
    const action = hit.rule.action;
    log.push({ ...seen, outcome: actionName(action) });
    switch (action) {
      case 'slow-down':
        incoming.resume();
        incoming.on('end', () =>
          answer(response, 503, s3ErrorXml('SlowDown', 'Please reduce your request rate.')),
        );
        return;
      case 'forbidden':
        incoming.resume();
        incoming.on('end', () => answer(response, 403, s3ErrorXml('AccessDenied', 'Access Denied')));
        return;
      case 'drop': {
        const hasBody =
          Number(incoming.headers['content-length'] ?? 0) > 0 ||
          incoming.headers['transfer-encoding'] !== undefined;
        if (!hasBody) {
          incoming.socket.destroy();
          return;
        }
        incoming.once('data', () => incoming.socket.destroy());
        return;
      }
      case 'stall':
        incoming.resume();
        return;
      case 'drop-response':
        forward(incoming, response, true);
        return;
      default:
        incoming.resume();
        incoming.on('end', () =>
          answer(
            response,
            action.status,
            action.body ?? s3ErrorXml(action.code ?? 'InternalError', 'Injected by the faulty proxy'),
          ),
        );
    }
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    endpoint: `http://127.0.0.1:${port}`,
    log,
    addRule(rule) {
      rules.push({ rule, left: rule.times ?? Number.POSITIVE_INFINITY });
    },
    reset() {
      rules.length = 0;
      log.length = 0;
    },
    count(predicate) {
      return predicate ? log.filter(predicate).length : log.length;
    },
    async stop() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
