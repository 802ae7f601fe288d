import type { CliSession } from './cli-session.js';

/** Runs a command body with a session built from the global and the command's own options. */
export type CommandRunner = (
  commandOptions: { json?: boolean },
  body: (session: CliSession) => Promise<number>,
) => Promise<void>;
