import { describe, expect, it } from 'vitest';
import { ENVIRONMENT_SETTINGS } from '../lib/environment-settings.js';
import { parseImageReference } from '../lib/image-reference.js';
import { readInfraContext } from '../lib/infra-context.js';
import { InfraContextError } from '../lib/infra-context-error.js';

const contextOf = (values: Record<string, unknown>) => ({ tryGetContext: (key: string) => values[key] });

describe('readInfraContext', () => {
  it('reads an environment with its defaults', () => {
    const context = readInfraContext(contextOf({ env: 'staging' }));
    expect(context).toEqual({
      settings: ENVIRONMENT_SETTINGS.staging,
      image: { kind: 'ecr', repositoryName: 'shopflow', tagOrDigest: 'latest' },
      alarmEmail: undefined,
      materializeSchedule: 'cron(0 5 ? * SUN *)',
      scheduleTimeZone: 'Europe/Berlin',
      materializeSelection: '',
      daemonCount: 1,
      rdsCaBundlePath: '/etc/ssl/certs/rds-global-bundle.pem',
    });
  });

  it('applies overrides without changing the built-in settings', () => {
    const context = readInfraContext(
      contextOf({
        env: 'prod',
        monthlyBudgetUsd: '900',
        imageTag: 'v2.0.0',
        daemonCount: 0,
        alarmEmail: 'ops@example.com',
      }),
    );
    expect(context.settings.monthlyBudgetUsd).toBe(900);
    expect(ENVIRONMENT_SETTINGS.prod.monthlyBudgetUsd).toBe(1500);
    expect(context.image).toEqual({ kind: 'ecr', repositoryName: 'shopflow', tagOrDigest: 'v2.0.0' });
    expect(context.daemonCount).toBe(0);
    expect(context.alarmEmail).toBe('ops@example.com');
  });

  it.each([
    [{}, 'env', 'CDK context "env": missing; pass -c env=dev, -c env=staging, -c env=prod'],
    [
      { env: 'qa' },
      'env',
      'CDK context "env": "qa" is not valid; pass -c env=dev, -c env=staging, -c env=prod',
    ],
    [
      { env: 'dev', monthlyBudgetUsd: 'lots' },
      'monthlyBudgetUsd',
      '"lots" is not valid; give a number of USD',
    ],
    [{ env: 'dev', monthlyBudgetUsd: '-5' }, 'monthlyBudgetUsd', '"-5" is not valid'],
    [{ env: 'dev', imageUri: 'not an image' }, 'imageUri', '"not an image" is not valid; give an image URI'],
    [{ env: 'dev', alarmEmail: 'oncall' }, 'alarmEmail', '"oncall" is not valid; give one e-mail address'],
    [
      { env: 'dev', materializeSchedule: '0 2 * * *' },
      'materializeSchedule',
      'give an EventBridge Scheduler expression',
    ],
    [{ env: 'dev', daemonCount: '2' }, 'daemonCount', '"2" is not valid; give 1 (run the daemon) or 0'],
    [{ env: ['dev'] }, 'env', 'give a string or a number'],
  ])('rejects %j naming the key and the fix', (values, key, message) => {
    let thrown: unknown;
    try {
      readInfraContext(contextOf(values));
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(InfraContextError);
    expect((thrown as InfraContextError).key).toBe(key);
    expect((thrown as Error).message).toContain(message);
  });
});

describe('parseImageReference', () => {
  it('defaults to the shopflow repository of the deployment account and region', () => {
    expect(parseImageReference(undefined, 'v1.0.0')).toEqual({
      kind: 'ecr',
      repositoryName: 'shopflow',
      tagOrDigest: 'v1.0.0',
    });
  });

  it('splits an ECR URI into account, region, repository and tag or digest', () => {
    expect(
      parseImageReference('123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/shopflow:v1.4.0', 'latest'),
    ).toEqual({
      kind: 'ecr',
      account: '123456789012',
      region: 'eu-west-1',
      repositoryName: 'team/shopflow',
      tagOrDigest: 'v1.4.0',
    });
    const digest = `sha256:${'a'.repeat(64)}`;
    expect(
      parseImageReference(`123456789012.dkr.ecr.us-east-1.amazonaws.com/shopflow@${digest}`, 'latest'),
    ).toMatchObject({
      region: 'us-east-1',
      tagOrDigest: digest,
    });
    expect(parseImageReference('123456789012.dkr.ecr.us-east-1.amazonaws.com/shopflow', 'v3')).toMatchObject({
      tagOrDigest: 'v3',
    });
  });

  it('uses any other registry URI as given, and rejects what is not an image URI', () => {
    expect(parseImageReference('ghcr.io/acme/shopflow:v1.4.0', 'latest')).toEqual({
      kind: 'registry',
      uri: 'ghcr.io/acme/shopflow:v1.4.0',
    });
    expect(parseImageReference('shopflow latest', 'latest')).toBeUndefined();
    expect(parseImageReference('https://example.com/shopflow', 'latest')).toBeUndefined();
  });
});
