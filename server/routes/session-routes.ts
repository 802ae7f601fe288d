import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { parseRequest } from '../http/parse-request.js';
import type { ServerContext } from '../server-context.js';

const SignIn = z.strictObject({ token: z.string().min(1).max(1000) });

/**
 * The page's sign-in, open to anyone who reaches the server:
 * - `GET /api/session`: whether a token is required, whether this client is signed in, whether reads
 *   are public and whether it may launch;
 * - `POST /api/session` `{ token }`: checks the token (wrong ones count against the client address)
 *   and sets the session cookie;
 * - `DELETE /api/session`: signs out.
 *
 * @example
 * registerSessionRoutes(app, context);
 */
export function registerSessionRoutes(app: FastifyInstance, context: ServerContext): void {
  app.get('/api/session', async (request) => context.access.sessionState(request));

  app.post('/api/session', async (request, reply) => {
    const { token } = parseRequest(SignIn, request.body, 'body');
    context.access.signIn(request, reply, token);
    return {
      ...context.access.sessionState(request),
      signedIn: true,
      via: 'session',
      canRead: true,
      canLaunch: !context.readOnly,
    };
  });

  app.delete('/api/session', async (request, reply) => {
    context.access.signOut(request, reply);
    return {
      ...context.access.sessionState(request),
      signedIn: !context.tokenRequired,
      via: null,
      canRead: !context.tokenRequired || context.publicRead,
      canLaunch: !context.readOnly && !context.tokenRequired,
    };
  });
}
