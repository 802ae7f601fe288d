import type { Node } from 'constructs';
import {
  ENVIRONMENT_NAMES,
  ENVIRONMENT_SETTINGS,
  type EnvironmentSettings,
  isEnvironmentName,
} from './environment-settings.js';
import { type ImageReference, parseImageReference } from './image-reference.js';
import { InfraContextError } from './infra-context-error.js';

/** Everything the stacks are built from: the environment's settings plus deployment inputs. */
export interface InfraContext {
  settings: EnvironmentSettings;
  image: ImageReference;
  /** E-mail address subscribed to the alarm topic (confirmed by the recipient). */
  alarmEmail?: string;
  /** EventBridge Scheduler expression of the reconciliation `materialize` task, e.g. `cron(0 5 ? * SUN *)`. */
  materializeSchedule: string;
  /** IANA time zone of {@link materializeSchedule}. */
  scheduleTimeZone: string;
  /** Selection passed to `shopflow materialize`; empty = the whole graph. */
  materializeSelection: string;
  /** Daemon tasks to run: 1, or 0 to stop the daemon (its alarm is then not created). */
  daemonCount: 0 | 1;
  /** Path of the Amazon RDS CA bundle inside the image, used to verify the database certificate. */
  rdsCaBundlePath: string;
}

/** The context keys the app reads; `-c key=value` on the command line or `context` in `cdk.json`. */
export const CONTEXT_KEYS = [
  'env',
  'imageUri',
  'imageTag',
  'alarmEmail',
  'monthlyBudgetUsd',
  'materializeSchedule',
  'scheduleTimeZone',
  'materializeSelection',
  'daemonCount',
  'rdsCaBundlePath',
] as const;

const SCHEDULE = /^(cron|rate)\(.+\)$/;
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

/**
 * Reads and validates the app's context (see {@link CONTEXT_KEYS}); throws an
 * {@link InfraContextError} naming the key and the fix for a bad or missing value.
 *
 * @example
 * const context = readInfraContext(app.node); // cdk synth -c env=prod -c imageUri=…
 * context.settings.database.multiAz; // true
 */
export function readInfraContext(node: Pick<Node, 'tryGetContext'>): InfraContext {
  const text = (key: (typeof CONTEXT_KEYS)[number]): string | undefined => {
    const value = node.tryGetContext(key);
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string' && typeof value !== 'number') {
      throw new InfraContextError(key, value, 'give a string or a number');
    }
    return String(value).trim();
  };

  const env = text('env');
  if (!isEnvironmentName(env)) {
    throw new InfraContextError('env', env, `pass ${ENVIRONMENT_NAMES.map((n) => `-c env=${n}`).join(', ')}`);
  }
  const settings: EnvironmentSettings = structuredClone(ENVIRONMENT_SETTINGS[env]);

  const budget = text('monthlyBudgetUsd');
  if (budget !== undefined) {
    const usd = Number(budget);
    if (budget === '' || !Number.isFinite(usd) || usd < 0) {
      throw new InfraContextError('monthlyBudgetUsd', budget, 'give a number of USD, or 0 for no budget');
    }
    settings.monthlyBudgetUsd = usd;
  }

  const imageUri = text('imageUri');
  const image = parseImageReference(imageUri, text('imageTag') || 'latest');
  if (!image) {
    throw new InfraContextError(
      'imageUri',
      imageUri,
      'give an image URI such as 123456789012.dkr.ecr.eu-west-1.amazonaws.com/shopflow:v1.4.0',
    );
  }

  const alarmEmail = text('alarmEmail') || undefined;
  if (alarmEmail !== undefined && !EMAIL.test(alarmEmail)) {
    throw new InfraContextError('alarmEmail', alarmEmail, 'give one e-mail address, e.g. oncall@example.com');
  }

  const materializeSchedule = text('materializeSchedule') || 'cron(0 5 ? * SUN *)';
  if (!SCHEDULE.test(materializeSchedule)) {
    throw new InfraContextError(
      'materializeSchedule',
      materializeSchedule,
      'give an EventBridge Scheduler expression such as "cron(0 5 ? * SUN *)" or "rate(7 days)"',
    );
  }

  const daemonCount = text('daemonCount') ?? '1';
  if (daemonCount !== '0' && daemonCount !== '1') {
    throw new InfraContextError('daemonCount', daemonCount, 'give 1 (run the daemon) or 0 (stop it)');
  }

  return {
    settings,
    image,
    alarmEmail,
    materializeSchedule,
    scheduleTimeZone: text('scheduleTimeZone') || 'Europe/Berlin',
    materializeSelection: text('materializeSelection') ?? '',
    daemonCount: daemonCount === '1' ? 1 : 0,
    rdsCaBundlePath: text('rdsCaBundlePath') || '/etc/ssl/certs/rds-global-bundle.pem',
  };
}
