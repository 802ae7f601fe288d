import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { afterAll, describe, expect, it } from 'vitest';
import { createShopflowStacks } from '../lib/create-shopflow-stacks.js';
import { ENVIRONMENT_NAMES } from '../lib/environment-settings.js';
import { readInfraContext } from '../lib/infra-context.js';
import { CDK_JSON_CONTEXT } from './support/synthesize-environment.js';

const outdirs: string[] = [];
afterAll(() => {
  for (const dir of outdirs) rmSync(dir, { recursive: true, force: true });
});

// The whole app, synthesized as `cdk synth -c env=…` does (cdk.json's feature flags and
// CloudFormation validation on), into a temporary cloud assembly.
describe.each(ENVIRONMENT_NAMES)('cdk synth -c env=%s', (env) => {
  it('synthesizes three environment-agnostic stacks without lookups or validation errors', () => {
    const outdir = mkdtempSync(join(tmpdir(), `shopflow-cdk-${env}-`));
    outdirs.push(outdir);
    const app = new App({ outdir, context: { ...CDK_JSON_CONTEXT, env } });
    const { storage, database, pipeline } = createShopflowStacks(app, readInfraContext(app.node));
    const assembly = app.synth();

    expect(assembly.manifest.missing).toBeUndefined();
    expect(assembly.stacks.map((stack) => stack.stackName).sort()).toEqual([
      `ShopFlow-${env}-Database`,
      `ShopFlow-${env}-Pipeline`,
      `ShopFlow-${env}-Storage`,
    ]);
    for (const stack of assembly.stacks) {
      expect(stack.environment.account).toBe('unknown-account');
      expect(stack.environment.region).toBe('unknown-region');
      expect(stack.messages.filter((message) => message.level === 'error')).toEqual([]);
    }
    expect(pipeline.dependencies.map((stack) => stack.stackName).sort()).toEqual([
      database.stackName,
      storage.stackName,
    ]);
    expect(storage.terminationProtection).toBe(env === 'prod');
    expect(database.terminationProtection).toBe(env === 'prod');
  });
});
