import { z } from 'zod';
import { booleanField, positiveNumber, textField } from '../../config/config-fields.js';

/** A list from YAML, or a comma-separated string from one environment variable (`${SUBNETS}`). */
const textList = () =>
  z.preprocess(
    (value) =>
      typeof value === 'string'
        ? value
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean)
        : value,
    z.array(textField()),
  );

/**
 * `executor.runLauncher` with `type: ecs`: runs launched by the daemon and the web page each run in
 * one isolated ECS task (`shopflow materialize --run-id ID` in the image), started with `RunTask`
 * and watched with `DescribeTasks`.
 */
export const EcsRunLauncherConfigSchema = z.strictObject({
  type: z.literal('ecs'),
  /** Cluster name or ARN. */
  cluster: textField(),
  /** Task definition family (`family` or `family:revision`) or ARN; its image is ShopFlow's. */
  taskDefinition: textField(),
  /** The container whose command is overridden with `materialize --run-id ID`. */
  container: textField().default('shopflow'),
  /** Subnets of the task (a list, or one comma-separated string). */
  subnets: textList().refine((list) => list.length > 0, 'expected at least one subnet'),
  securityGroups: textList().default([]),
  assignPublicIp: booleanField().default(false),
  launchType: z.enum(['FARGATE', 'EC2']).default('FARGATE'),
  /** AWS region (default: the SDK's, from `AWS_REGION`). */
  region: textField().optional(),
  /** Another ECS endpoint (a VPC endpoint, a test server). */
  endpoint: z.url({ protocol: /^https?$/ }).optional(),
  /** How often a launched task is described while its run goes on. */
  pollSeconds: positiveNumber().default(10),
});

export type EcsRunLauncherConfig = z.output<typeof EcsRunLauncherConfigSchema>;
