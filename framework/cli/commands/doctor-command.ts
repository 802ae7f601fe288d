import type { Command } from 'commander';
import type { DoctorFinding } from '../../doctor/doctor-check.js';
import { HOME_CHECKS } from '../../doctor/home-checks.js';
import type { CommandRunner } from '../command-runner.js';
import { textTable } from '../text-table.js';

/**
 * `shopflow doctor [--repair]`: checks a whole home — the instance store's integrity, every lake
 * file against what was written, leftovers of failed writes, runs whose process died, and what the
 * code location adds (its embedded servers) — and says what it found and what it repaired. Exit 0
 * when nothing is left wrong, 1 otherwise.
 */
export function registerDoctorCommand(program: Command, run: CommandRunner) {
  program
    .command('doctor')
    .description('check a home (instance store, lake files, leftovers, dead runs, servers) and repair it')
    .option(
      '--repair',
      'repair what can be: rewrite damaged lake partitions, remove leftovers, clear stale server files',
    )
    .option('--json', 'one JSON object per finding')
    .action((options: { repair?: boolean; json?: boolean }) =>
      run(options, async (session) => {
        const runtime = await session.runtime();
        const repair = options.repair === true;
        const home = runtime.config.home;
        const findings: DoctorFinding[] = session.reapedRuns.map((id) => ({
          check: 'runs',
          subject: id,
          status: 'repaired',
          detail: 'was recorded running, but its process is gone: marked failed, its locks released',
        }));
        if (findings.length === 0) {
          findings.push({
            check: 'runs',
            subject: 'runs in progress',
            status: 'ok',
            detail: 'every running run has a live process',
          });
        }
        for (const check of [...HOME_CHECKS, ...runtime.definitions.doctorChecks]) {
          try {
            findings.push(...(await check.run({ runtime, home, repair })));
          } catch (error) {
            findings.push({
              check: check.name,
              subject: home,
              status: 'problem',
              detail: `the check itself failed: ${(error as Error).message}`,
            });
          }
        }
        const problems = findings.filter((f) => f.status === 'problem').length;
        const repaired = findings.filter((f) => f.status === 'repaired').length;
        if (session.json) {
          for (const finding of findings) session.jsonLine(finding);
        } else {
          session.out(
            textTable(
              ['CHECK', 'SUBJECT', 'STATUS', 'DETAIL'],
              findings.map((f) => [
                f.check,
                f.subject,
                f.status,
                f.fix ? `${f.detail} — fix: ${f.fix}` : f.detail,
              ]),
            ),
          );
          session.out(
            problems === 0
              ? `${home}: healthy${repaired ? ` (${repaired} repaired)` : ''}`
              : `${home}: ${problems} problem${problems === 1 ? '' : 's'}${repaired ? `, ${repaired} repaired` : ''}${repair ? '' : '; shopflow doctor --repair repairs what it can'}`,
          );
        }
        return problems === 0 ? 0 : 1;
      }),
    );
}
