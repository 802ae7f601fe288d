import { describe, expect, it } from 'vitest';
import { ENVIRONMENT_NAMES, ENVIRONMENT_SETTINGS } from '../lib/environment-settings.js';
import { resourcesOf, synthesizeEnvironment } from './support/synthesize-environment.js';

const asList = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

describe.each(ENVIRONMENT_NAMES)('clickstream Kinesis stream (%s)', (env) => {
  const settings = ENVIRONMENT_SETTINGS[env];

  it(`is a provisioned stream of ${settings.stream.shards} shard(s) keeping records ${settings.stream.retentionHours} h, encrypted at rest`, () => {
    const { storage } = synthesizeEnvironment(env);
    const streams = resourcesOf(storage, 'AWS::Kinesis::Stream');
    expect(streams).toHaveLength(1);
    const [, stream] = streams[0];
    expect(stream.Properties).toMatchObject({
      Name: `shopflow-${env}-clickstream`,
      ShardCount: settings.stream.shards,
      RetentionPeriodHours: settings.stream.retentionHours,
      StreamModeDetails: { StreamMode: 'PROVISIONED' },
    });
    const encryption = stream.Properties.StreamEncryption;
    expect(encryption.EncryptionType).toBe('KMS');
    if (settings.bucketEncryption === 'kms') {
      // A customer-managed, rotated key of this stack.
      const keyId = encryption.KeyId['Fn::GetAtt'][0];
      expect(storage.toJSON().Resources[keyId].Properties.EnableKeyRotation).toBe(true);
    } else {
      expect(encryption.KeyId).toBe('alias/aws/kinesis');
    }
    expect(stream.DeletionPolicy).toBe(settings.retention === 'destroy' ? 'Delete' : 'Retain');
    storage.hasOutput('StreamName', { Description: 'SHOPFLOW_STREAM_NAME' });
  });

  it('lets the task role read and write that stream only, and tells the tasks its name', () => {
    const synthesized = synthesizeEnvironment(env);
    const { pipeline } = synthesized;
    const statements = resourcesOf(pipeline, 'AWS::IAM::Policy').flatMap(
      ([, policy]) => policy.Properties.PolicyDocument.Statement as any[],
    );
    const kinesisStatements = statements.filter((s) =>
      asList<string>(s.Action).some((action) => action.startsWith('kinesis:')),
    );
    const actions = kinesisStatements.flatMap((s) => asList<string>(s.Action));
    expect(actions).toEqual(
      expect.arrayContaining([
        'kinesis:GetRecords',
        'kinesis:GetShardIterator',
        'kinesis:ListShards',
        'kinesis:DescribeStreamSummary',
        'kinesis:PutRecords',
      ]),
    );
    for (const statement of kinesisStatements) {
      for (const resource of asList<unknown>(statement.Resource)) {
        expect(resource).not.toBe('*');
        expect(JSON.stringify(resource)).toContain('Clickstream');
      }
    }
    const tasks = resourcesOf(pipeline, 'AWS::ECS::TaskDefinition');
    for (const [, task] of tasks) {
      const environment = task.Properties.ContainerDefinitions[0].Environment as Array<{ Name: string }>;
      expect(environment.map((e) => e.Name)).toContain('SHOPFLOW_STREAM_NAME');
    }
  });

  it(`alarms when the consumer's iterator age stays above ${settings.stream.iteratorAgeAlarmMinutes} min, to the alerts topic`, () => {
    const { pipeline } = synthesizeEnvironment(env);
    const alarm = resourcesOf(pipeline, 'AWS::CloudWatch::Alarm')
      .map(([, a]) => a.Properties)
      .find((a) => a.AlarmName === `ShopFlow-${env}-StreamIteratorAge`);
    expect(alarm).toMatchObject({
      Namespace: 'AWS/Kinesis',
      MetricName: 'GetRecords.IteratorAgeMilliseconds',
      Statistic: 'Maximum',
      Period: 300,
      EvaluationPeriods: 3,
      Threshold: settings.stream.iteratorAgeAlarmMinutes * 60_000,
      ComparisonOperator: 'GreaterThanThreshold',
    });
    expect(JSON.stringify(alarm.AlarmActions)).toContain('AlertsTopic');
    expect(alarm.AlarmDescription).toContain('docs/runbook.md#streamiteratorage');
  });

  it('shows records in, iterator age and throttling on the dashboard', () => {
    const { pipeline } = synthesizeEnvironment(env);
    const [, dashboard] = resourcesOf(pipeline, 'AWS::CloudWatch::Dashboard')[0];
    const body = dashboard.Properties.DashboardBody;
    const parts: unknown[] = typeof body === 'string' ? [body] : body['Fn::Join'][1];
    const text = parts.map((part) => (typeof part === 'string' ? part : 'TOKEN')).join('');
    const widgets = JSON.parse(text).widgets as Array<{ properties: { title: string } }>;
    const stream = JSON.stringify(widgets.filter((w) => w.properties.title?.startsWith('Clickstream')));
    for (const metric of [
      'IncomingRecords',
      'GetRecords.IteratorAgeMilliseconds',
      'WriteProvisionedThroughputExceeded',
      'ReadProvisionedThroughputExceeded',
    ]) {
      expect(stream).toContain(metric);
    }
  });
});
