import { appendFileSync, mkdirSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { ShopflowError } from '../errors/error-catalog.js';

/** The environment setting that allows clear values of personal data (`--unmask`). */
export const ALLOW_UNMASK_VARIABLE = 'SHOPFLOW_ALLOW_UNMASK';

/**
 * Refuses clear values of personal data unless the environment allows them:
 * `SHOPFLOW_ALLOW_UNMASK=true` — set by hand on a developer's machine, and in production only in
 * the environment of the role that may see them (never in the shipped configuration).
 */
export function assertUnmaskAllowed(environment: NodeJS.ProcessEnv = process.env): void {
  if (environment[ALLOW_UNMASK_VARIABLE] === 'true') return;
  throw new ShopflowError(
    'SF_UNMASK_NOT_ALLOWED',
    `clear values of personal data need ${ALLOW_UNMASK_VARIABLE}=true in the environment`,
    {
      hint: `set it only where this person may see personal data (every unmasked read is audited in <home>/logs/unmask-audit.log), or leave out --unmask`,
    },
  );
}

/** One read of personal data in clear, as the audit log keeps it (never the values). */
export interface UnmaskedRead {
  asset: string;
  partition: string | null;
  columns: string[];
  rows: number;
  /** What read them, e.g. `shopflow show`. */
  via: string;
}

/**
 * Appends an unmasked read to `<logsDir>/unmask-audit.log` (one JSON line: when, who — from
 * `SHOPFLOW_ACTOR`, else the OS user — what and how many rows; never a value), readable by its
 * owner only. Returns the line.
 *
 * @example
 * auditUnmaskedRead(logsDir, { asset: 'silver_customers', partition: null, columns: ['email'], rows: 20, via: 'shopflow show' });
 */
export function auditUnmaskedRead(
  logsDir: string,
  read: UnmaskedRead,
  environment: NodeJS.ProcessEnv = process.env,
): Record<string, unknown> {
  const line = {
    ts: new Date().toISOString(),
    actor: environment.SHOPFLOW_ACTOR || safeUser(),
    ...read,
  };
  mkdirSync(logsDir, { recursive: true });
  appendFileSync(join(logsDir, 'unmask-audit.log'), `${JSON.stringify(line)}\n`, { mode: 0o600 });
  return line;
}

function safeUser(): string {
  try {
    return userInfo().username;
  } catch {
    return `uid ${process.getuid?.() ?? 'unknown'}`;
  }
}
