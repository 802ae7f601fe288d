import { readFileSync } from 'node:fs';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { createShopflowStacks, type ShopflowStacks } from '../../lib/create-shopflow-stacks.js';
import type { EnvironmentName } from '../../lib/environment-settings.js';
import { readInfraContext } from '../../lib/infra-context.js';

/** The feature flags and defaults of `cdk.json`, so tests synthesize exactly what `cdk synth` does. */
export const CDK_JSON_CONTEXT: Record<string, unknown> = JSON.parse(
  readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8'),
).context;

/** One environment's stacks and their synthesized templates. */
export interface SynthesizedEnvironment {
  app: App;
  stacks: ShopflowStacks;
  storage: Template;
  database: Template;
  pipeline: Template;
}

const cache = new Map<string, SynthesizedEnvironment>();

/**
 * Builds the app for `env` (plus extra context, as `-c key=value` would) and synthesizes its three
 * templates; cached per environment and context within a test file.
 *
 * @example
 * const { pipeline } = synthesizeEnvironment('prod');
 * pipeline.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
 */
export function synthesizeEnvironment(
  env: EnvironmentName,
  context: Record<string, string> = {},
): SynthesizedEnvironment {
  const key = JSON.stringify([env, context]);
  const cached = cache.get(key);
  if (cached) return cached;
  const app = new App({ context: { ...CDK_JSON_CONTEXT, ...context, env } });
  const stacks = createShopflowStacks(app, readInfraContext(app.node));
  const result = {
    app,
    stacks,
    storage: Template.fromStack(stacks.storage),
    database: Template.fromStack(stacks.database),
    pipeline: Template.fromStack(stacks.pipeline),
  };
  cache.set(key, result);
  return result;
}

/** Every resource of `type` in `template`, as `[logicalId, resource]` pairs. */
export function resourcesOf(template: Template, type: string): [string, Record<string, any>][] {
  return Object.entries(template.findResources(type));
}
