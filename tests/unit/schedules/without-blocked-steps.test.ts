import { describe, expect, test } from 'vitest';
import type { Plan, PlanStep } from '../../../framework/index.js';
import { withoutBlockedSteps } from '../../../schedules/tick-launcher.js';

const step = (key: string, dependsOn: string[] = [], blockedBy: string[] = []): PlanStep =>
  ({
    key,
    assetKey: key.split('[')[0],
    partitionKey: null,
    reasons: [],
    dependsOn,
    blockedBy,
  }) as unknown as PlanStep;

const plan = (steps: PlanStep[]): Plan =>
  ({
    selection: 'bronze+',
    partitions: null,
    createdAt: '',
    steps,
    upToDate: 0,
    assets: [],
  }) as unknown as Plan;

describe('withoutBlockedSteps (what a sensor run leaves out)', () => {
  test('drops the steps whose upstream was never materialized, and what depends on them', () => {
    const { plan: kept, removed } = withoutBlockedSteps(
      plan([
        step('bronze'),
        step('silver', ['bronze']),
        step('fact', ['silver'], ['dim_date']),
        step('report', ['fact']),
        step('gold', ['silver']),
      ]),
    );
    expect(kept.steps.map((s) => s.key)).toEqual(['bronze', 'silver', 'gold']);
    expect(removed).toEqual(['fact', 'report']);
  });

  test('keeps a plan with nothing blocked as it is', () => {
    const whole = plan([step('bronze'), step('silver', ['bronze'])]);
    expect(withoutBlockedSteps(whole)).toEqual({ plan: whole, removed: [] });
  });
});
