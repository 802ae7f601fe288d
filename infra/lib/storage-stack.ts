import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import * as glue from 'aws-cdk-lib/aws-glue';
import type * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { ClickstreamStream } from './clickstream-stream.js';
import type { EnvironmentSettings } from './environment-settings.js';
import { SecureBucket } from './secure-bucket.js';

/** The key prefix of the raw landing zone (`raw/year=YYYY/month=MM/day=DD/<dataset>/…`). */
export const LANDING_PREFIX = 'raw/';
/** The key prefix of the bronze/silver/gold lake (`lake.prefix` in `config/prod.yaml`). */
export const LAKE_PREFIX = 'lake/';

/** Props of {@link StorageStack}. */
export interface StorageStackProps extends StackProps {
  settings: EnvironmentSettings;
}

/**
 * The two S3 buckets — the raw landing zone (`SHOPFLOW_LANDING_BUCKET`) and the Parquet lake
 * (`SHOPFLOW_LAKE_BUCKET`) — and the clickstream's Kinesis stream (`SHOPFLOW_STREAM_NAME`). Raw files are written once and rarely read again, so they move to
 * Infrequent Access after 30 days and to Glacier Flexible Retrieval after 90; lake files are
 * read by every run, so they move to Intelligent-Tiering (instant access) after 30 days instead.
 *
 * @example
 * const storage = new StorageStack(app, 'ShopFlow-dev-Storage', { settings: ENVIRONMENT_SETTINGS.dev });
 * storage.landingBucket.bucketName;
 */
export class StorageStack extends Stack {
  readonly landingBucket: s3.Bucket;
  readonly lakeBucket: s3.Bucket;
  readonly clickstream: kinesis.Stream;
  /** The Glue database `shopflow catalog --glue` creates the lake's tables in. */
  readonly catalogDatabase: glue.CfnDatabase;

  constructor(scope: Construct, id: string, props: StorageStackProps) {
    super(scope, id, props);
    const { settings } = props;

    this.landingBucket = new SecureBucket(this, 'Landing', {
      settings,
      purpose: 'ShopFlow raw landing zone',
      prefix: LANDING_PREFIX,
      transitions: [
        { storageClass: s3.StorageClass.INFREQUENT_ACCESS, transitionAfter: Duration.days(30) },
        { storageClass: s3.StorageClass.GLACIER, transitionAfter: Duration.days(90) },
      ],
    }).bucket;

    this.lakeBucket = new SecureBucket(this, 'Lake', {
      settings,
      purpose: 'ShopFlow bronze/silver/gold lake',
      prefix: LAKE_PREFIX,
      transitions: [
        { storageClass: s3.StorageClass.INTELLIGENT_TIERING, transitionAfter: Duration.days(30) },
      ],
    }).bucket;

    this.clickstream = new ClickstreamStream(this, 'Clickstream', { settings }).stream;

    // NOTE: the tables themselves come from `shopflow catalog --glue` (they follow the code's
    // schemas); each reads the lake through the symlink manifests `shopflow catalog --symlinks` writes.
    this.catalogDatabase = new glue.CfnDatabase(this, 'CatalogDatabase', {
      catalogId: this.account,
      databaseInput: {
        name: `shopflow_${settings.name}`,
        description: `ShopFlow ${settings.name} lake tables (shopflow catalog --glue), read through symlink manifests`,
        locationUri: `s3://${this.lakeBucket.bucketName}/${LAKE_PREFIX}`,
      },
    });

    new CfnOutput(this, 'StreamName', {
      value: this.clickstream.streamName,
      description: 'SHOPFLOW_STREAM_NAME',
    });
    new CfnOutput(this, 'LandingBucketName', {
      value: this.landingBucket.bucketName,
      description: 'SHOPFLOW_LANDING_BUCKET',
    });
    new CfnOutput(this, 'CatalogDatabaseName', {
      value: `shopflow_${settings.name}`,
      description: 'shopflow catalog --glue --database',
    });
    new CfnOutput(this, 'LakeBucketName', {
      value: this.lakeBucket.bucketName,
      description: 'SHOPFLOW_LAKE_BUCKET',
    });
  }
}
