#!/usr/bin/env node
// The CDK app: `npx cdk synth -c env=dev` (or staging, prod). See docs/deployment.md.
import { App } from 'aws-cdk-lib';
import { createShopflowStacks } from '../lib/create-shopflow-stacks.js';
import { readInfraContext } from '../lib/infra-context.js';
import { InfraContextError } from '../lib/infra-context-error.js';

const app = new App();
try {
  createShopflowStacks(app, readInfraContext(app.node));
} catch (error) {
  if (!(error instanceof InfraContextError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exit(2);
}
app.synth();
