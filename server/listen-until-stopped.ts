import type { FastifyInstance } from 'fastify';

/**
 * Listens until `stop` aborts, then closes the server gracefully (open event streams end, runs it
 * started finish). Calls `onListening` with the base URL once it accepts connections.
 *
 * @example
 * const stop = new AbortController();
 * process.once('SIGINT', () => stop.abort());
 * await listenUntilStopped(app, { host: '127.0.0.1', port: 3000, stop: stop.signal, onListening: (url) => console.log(url) });
 */
export async function listenUntilStopped(
  app: FastifyInstance,
  options: {
    host: string;
    port: number;
    /** Whether the server speaks HTTPS (for the URL it reports). */
    tls?: boolean;
    stop: AbortSignal;
    onListening?: (url: string) => void;
  },
): Promise<void> {
  await app.listen({ host: options.host, port: options.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const host =
    options.host.includes(':') && !options.host.startsWith('[') ? `[${options.host}]` : options.host;
  options.onListening?.(`${options.tls ? 'https' : 'http'}://${host}:${port}/`);
  if (!options.stop.aborted) {
    await new Promise<void>((resolve) =>
      options.stop.addEventListener('abort', () => resolve(), { once: true }),
    );
  }
  await app.close();
}
