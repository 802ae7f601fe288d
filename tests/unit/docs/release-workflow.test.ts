import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const REPO = resolve(import.meta.dirname, '../../..');

interface Step {
  name?: string;
  uses?: string;
  run?: string;
}
interface Job {
  needs?: string | string[];
  environment?: string;
  steps: Step[];
}

const workflow = (name: string) =>
  parse(readFileSync(resolve(REPO, '.github/workflows', name), 'utf8')) as { jobs: Record<string, Job> };

describe('the release workflow', () => {
  const jobs = workflow('release.yml').jobs;
  const deploy = jobs['deploy-prod'];
  const index = (test: (s: Step) => boolean) => deploy.steps.findIndex(test);

  it('builds the image from the Dockerfile and pushes it with the release tag before cdk deploy, behind the prod approval', () => {
    expect(deploy.environment).toBe('prod');
    const push = index((s) =>
      /docker (buildx )?build[\s\S]*\$GITHUB_REF_NAME[\s\S]*--push/.test(s.run ?? ''),
    );
    const login = index((s) => s.uses?.startsWith('aws-actions/amazon-ecr-login') ?? false);
    const deployStep = index((s) => /cdk deploy/.test(s.run ?? ''));
    expect(login).toBeGreaterThanOrEqual(0);
    expect(push).toBeGreaterThan(login);
    expect(deployStep).toBeGreaterThan(push);
    expect(deploy.steps[deployStep].run).toContain('imageUri="$REPOSITORY_URI:$GITHUB_REF_NAME"');
  });

  it('deploys only after the tests passed', () => {
    const needs = (job: Job) => (Array.isArray(job.needs) ? job.needs : job.needs ? [job.needs] : []);
    const upstream = new Set<string>();
    const walk = (name: string) => {
      for (const n of needs(jobs[name])) {
        upstream.add(n);
        walk(n);
      }
    };
    walk('deploy-prod');
    expect(upstream).toContain('test');
  });
});

describe('continuous integration', () => {
  it('builds the image on every push', () => {
    const image = workflow('ci.yml').jobs.image;
    expect(image.steps.some((s) => /docker build .*\s\.$/m.test(s.run ?? ''))).toBe(true);
  });
});
