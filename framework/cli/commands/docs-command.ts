import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { displayPath } from '../../config/display-path.js';
import { generatedDocs } from '../../docs/generated-docs.js';
import { readDictionaryNotes } from '../../docs/read-dictionary-notes.js';
import { DuckDbEngine } from '../../duckdb/duckdb-session.js';
import { graphClassification } from '../../governance/graph-classification.js';
import { writeTextFileAtomically } from '../../reporting/write-text-file-atomically.js';
import type { CommandRunner } from '../command-runner.js';

type DocState = 'written' | 'unchanged' | 'missing' | 'out_of_date';

/**
 * `shopflow docs [--check] [--out docs]`: generates `data-dictionary.md` and `lineage.md` from the
 * definitions; `--check` writes nothing and exits 1 when a file is missing or differs, or when a
 * column is unclassified or lowers its inherited class without a reason (for CI).
 */
export function registerDocsCommand(program: Command, run: CommandRunner) {
  program
    .command('docs')
    .description('generate the data dictionary and the lineage chart (docs/*.md) from the definitions')
    .option('--out <dir>', 'folder of the generated files', 'docs')
    .option('--notes <dir>', 'hand-written notes per asset, <asset>.md (default: <out>/dictionary-notes)')
    .option('--check', 'write nothing; exit 1 if a generated file is missing or out of date')
    .option('--json', 'machine-readable output')
    .action((options: { out: string; notes?: string; check?: boolean; json?: boolean }) =>
      run(options, async (session) => {
        const cwd = session.io.cwd;
        const out = resolve(cwd, options.out);
        const definitions = await session.definitions();
        const notesDir = options.notes ? resolve(cwd, options.notes) : join(out, 'dictionary-notes');
        const notes = readDictionaryNotes(notesDir, definitions, { cwd });
        const engine = new DuckDbEngine();
        const classification = await graphClassification(definitions.graph, () => engine.session()).finally(
          () => engine.close(),
        );
        const results: Array<{ file: string; state: DocState }> = [];
        for (const doc of [
          ...generatedDocs(definitions, { notes, classification }),
          ...definitions.docs.map((d) => ({ name: d.name, content: d.render() })),
        ]) {
          const file = join(out, doc.name);
          const current = existsSync(file) ? readFileSync(file, 'utf8') : undefined;
          let state: DocState;
          if (current === doc.content) state = 'unchanged';
          else if (options.check) state = current === undefined ? 'missing' : 'out_of_date';
          else {
            await writeTextFileAtomically(file, doc.content);
            state = 'written';
          }
          results.push({ file: displayPath(file, cwd), state });
        }
        const stale = results.filter((r) => r.state === 'missing' || r.state === 'out_of_date');
        const { problems } = classification;
        if (session.json) {
          session.jsonLine({
            check: options.check === true,
            upToDate: stale.length === 0,
            files: results,
            classificationProblems: problems,
          });
          return stale.length || (options.check && problems.length) ? 1 : 0;
        }
        if (problems.length) {
          session.io.stderr.write(
            `${problems.map((p) => `column \`${p.asset}.${p.column}\` ${p.message}`).join('\n')}\n` +
              `${problems.length} column${problems.length === 1 ? '' : 's'} break the classification rules (see docs/security.md, "Classification")\n`,
          );
          if (options.check) return 1;
        }
        if (stale.length) {
          session.io.stderr.write(
            `${stale
              .map((r) => `${r.file} is ${r.state === 'missing' ? 'missing' : 'out of date'}`)
              .join('\n')}\nrun \`shopflow docs\` to regenerate, then commit the result\n`,
          );
          return 1;
        }
        for (const r of results)
          session.out(`${r.file}: ${r.state === 'written' ? 'written' : 'up to date'}`);
        return 0;
      }),
    );
}
