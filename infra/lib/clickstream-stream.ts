import { Duration } from 'aws-cdk-lib';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import type { EnvironmentSettings } from './environment-settings.js';
import { removalPolicyOf } from './removal-policy.js';

/**
 * The clickstream's Kinesis Data Stream (`resources.stream.name` in `config/prod.yaml`, from
 * `SHOPFLOW_STREAM_NAME`): provisioned shards (one takes 1,000 records/s or 1 MB/s of writes),
 * the environment's retention (how far back `shopflow stream consume` can re-read after a
 * restart), encrypted at rest — with a rotated customer-managed KMS key where the environment
 * encrypts its buckets with KMS, else with the AWS-managed key `alias/aws/kinesis`.
 *
 * @example
 * const stream = new ClickstreamStream(this, 'Clickstream', { settings });
 * stream.stream.streamName; // shopflow-dev-clickstream
 */
export class ClickstreamStream extends Construct {
  readonly stream: kinesis.Stream;
  readonly encryptionKey?: kms.Key;

  constructor(scope: Construct, id: string, props: { settings: EnvironmentSettings }) {
    super(scope, id);
    const { settings } = props;
    const removalPolicy = removalPolicyOf(settings.retention);
    if (settings.bucketEncryption === 'kms') {
      this.encryptionKey = new kms.Key(this, 'Key', {
        description: `ShopFlow clickstream (${settings.name})`,
        enableKeyRotation: true,
        removalPolicy,
      });
    }
    this.stream = new kinesis.Stream(this, 'Stream', {
      streamName: `shopflow-${settings.name}-clickstream`,
      streamMode: kinesis.StreamMode.PROVISIONED,
      shardCount: settings.stream.shards,
      retentionPeriod: Duration.hours(settings.stream.retentionHours),
      encryption: this.encryptionKey ? kinesis.StreamEncryption.KMS : kinesis.StreamEncryption.MANAGED,
      encryptionKey: this.encryptionKey,
      removalPolicy,
    });
  }
}
