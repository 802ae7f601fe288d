import { formatAssetPartition } from '../keys/asset-key.js';
import { clearFindings, observeLakeIntegrity, recordFindings } from '../planner/lake-integrity.js';
import type { Plan } from '../planner/plan-materialization.js';
import type { DoctorCheck, DoctorFinding } from './doctor-check.js';

function plural(n: number, word: string): string {
  return `${n.toLocaleString('en-US')} ${word}${n === 1 ? '' : 's'}`;
}

/**
 * Every file of every materialized lake partition against the size and SHA-256 recorded when it
 * was committed (S3: every object's size; its reads verify checksums). What is damaged is recorded,
 * so every plan shows it as "missing — file corrupt"; `--repair` materializes exactly those
 * partitions again.
 */
export const lakeFilesCheck: DoctorCheck = {
  name: 'lake files',
  async run({ runtime, repair }) {
    const check = 'lake files';
    const states = await runtime.store.listPlannerStates();
    const { findings, checked, unverified, cleared } = await observeLakeIntegrity({
      graph: runtime.graph,
      store: runtime.store,
      lake: runtime.lake,
      states,
      now: runtime.services.now(),
      depth: 'deep',
      log: runtime.log,
    });
    await clearFindings(runtime.store, cleared);
    // NOTE: a partition that could not be looked at is not verified: the lake unreachable or access
    // denied is a problem of its own, never "every file as written".
    const notVerified: DoctorFinding[] =
      unverified.length === 0
        ? []
        : [
            {
              check,
              subject: runtime.lake.description,
              status: 'problem',
              detail: `could not verify ${plural(unverified.length, 'partition')} (${unverified[0].label}${unverified.length > 1 ? ', …' : ''}): ${unverified[0].error}`,
              fix: 'make the lake reachable with the credentials the config names, then run shopflow doctor again',
            },
          ];
    const restored: DoctorFinding[] = cleared.map((label) => ({
      check,
      subject: label,
      status: 'ok',
      detail:
        'recorded as damaged earlier, its files are as written again (restored): no longer counted as missing',
    }));
    if (findings.length === 0) {
      if (checked === 0 && notVerified.length > 0) return [...notVerified, ...restored];
      return [
        {
          check,
          subject: runtime.lake.description,
          status: 'ok',
          detail: `${plural(checked, 'partition')} verified, every file as written`,
        },
        ...notVerified,
        ...restored,
      ];
    }
    await recordFindings(runtime.store, findings);
    const labels = findings.map((f) => formatAssetPartition(f.assetKey, f.partitionKey));
    // NOTE: an appending table re-reads its stored files to write: rewriting cannot repair them.
    const appends = (assetKey: string) => runtime.graph.get(assetKey).io.appends === true;
    const rewritable = findings.filter((f) => !appends(f.assetKey));
    const outcomes =
      repair && rewritable.length > 0
        ? await rematerialize(
            runtime,
            rewritable.map((f) => formatAssetPartition(f.assetKey, f.partitionKey)),
          )
        : undefined;
    const damaged = findings.map((found, i): DoctorFinding => {
      const label = labels[i];
      const outcome = outcomes?.get(label);
      const what = `${found.location} ${found.problem}`;
      if (outcome?.ok) {
        return {
          check,
          subject: label,
          status: 'repaired',
          detail: `${what}; materialized again (${outcome.message})`,
        };
      }
      return {
        check,
        subject: label,
        status: 'problem',
        detail: outcome ? `${what}; materializing it again failed: ${outcome.message}` : what,
        fix: appends(found.assetKey)
          ? `restore the file from a backup (S3: its previous object version): \`${found.assetKey}\` appends to its partition, so materializing it again re-reads the damaged file`
          : `shopflow materialize ${found.assetKey}${found.partitionKey === null ? '' : ` --partition ${found.partitionKey}`} (or shopflow doctor --repair)`,
      };
    });
    return [...damaged, ...notVerified, ...restored];
  },
};

/** Materializes exactly the partitions `labels` (nothing else the plan would find stale). */
async function rematerialize(
  runtime: Parameters<DoctorCheck['run']>[0]['runtime'],
  labels: string[],
): Promise<Map<string, { ok: boolean; message: string }>> {
  const wanted = new Set(labels);
  const assets = [...new Set(labels.map((l) => l.replace(/\[.*$/, '')))];
  const planned = await runtime.plan({ selection: assets.join(','), force: labels });
  const plan: Plan = {
    ...planned,
    steps: planned.steps
      .filter((s) => wanted.has(s.key))
      .map((s) => ({ ...s, dependsOn: s.dependsOn.filter((d) => wanted.has(d)) })),
  };
  const result = await runtime.execute(plan, { tags: { trigger: 'doctor' } });
  const outcomes = new Map<string, { ok: boolean; message: string }>();
  for (const label of labels) {
    const outcome = result.outcomes.get(label);
    outcomes.set(label, {
      ok: outcome?.status === 'success' && !outcome.blocking,
      message: outcome ? `${outcome.message} in run ${result.runId.slice(0, 8)}` : 'not run',
    });
  }
  return outcomes;
}

/** The instance database's own integrity check (SQLite `PRAGMA integrity_check`). */
export const instanceStoreCheck: DoctorCheck = {
  name: 'instance store',
  async run({ runtime }) {
    const check = 'instance store';
    const subject =
      runtime.store.backend === 'sqlite' ? 'SQLite instance database' : 'PostgreSQL instance database';
    let damage: string[];
    try {
      damage = await runtime.store.checkIntegrity();
    } catch (error) {
      // NOTE: a database too damaged to run its own check (SQLite: "database disk image is malformed").
      damage = [`the check could not run: ${(error as Error).message}`];
    }
    if (damage.length === 0) return [{ check, subject, status: 'ok', detail: 'integrity check passed' }];
    return [
      {
        check,
        subject,
        status: 'problem',
        detail: `integrity check reports: ${damage.slice(0, 5).join('; ')}${damage.length > 5 ? ` (and ${damage.length - 5} more)` : ''}`,
        fix: 'stop every shopflow process, restore the instance database from a backup (docs/runbook.md)',
      },
    ];
  },
};

/**
 * Lake files no committed version references (leftovers of failed or killed writes) older than the
 * grace period (`lake.orphanGraceMinutes`); `--repair` removes them, as `shopflow sweep` does.
 */
export const temporaryFilesCheck: DoctorCheck = {
  name: 'temporary files',
  async run({ runtime, repair }) {
    const check = 'temporary files';
    const findings: DoctorFinding[] = [];
    for (const asset of runtime.graph.assets) {
      if (asset.io.kind !== 'lake-table') continue;
      const result = await runtime.lake.sweep(asset.key, { dryRun: !repair });
      if (result.removed.length === 0) continue;
      const what = `${plural(result.removed.length, 'unreferenced file')} (${plural(result.bytes, 'byte')})`;
      findings.push(
        repair
          ? { check, subject: asset.key, status: 'repaired', detail: `${what} removed` }
          : {
              check,
              subject: asset.key,
              status: 'problem',
              detail: what,
              fix: `shopflow sweep ${asset.key} (or shopflow doctor --repair)`,
            },
      );
    }
    if (findings.length === 0) {
      findings.push({
        check,
        subject: runtime.lake.description,
        status: 'ok',
        detail: 'no leftovers of failed writes',
      });
    }
    return findings;
  },
};

/** The framework's checks, in the order `shopflow doctor` runs them. */
export const HOME_CHECKS: readonly DoctorCheck[] = [instanceStoreCheck, lakeFilesCheck, temporaryFilesCheck];
