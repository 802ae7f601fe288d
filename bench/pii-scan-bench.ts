/**
 * Precision and recall of the PII scanner (`framework/governance/pii-detectors.ts`) on a seeded,
 * labelled corpus (`tests/fixtures/pii-corpus.ts`): columns of e-mail addresses, phone numbers,
 * card numbers, IBANs and person names, and hard negatives that look like them (ids and ISBNs of card
 * length, IP and account numbers, company, city and product names, timestamps, URLs, sentences):
 *
 *   npx tsx bench/pii-scan-bench.ts [--seeds 5] [--write]
 */
import { simulatorNameVocabulary } from '../assets/raw/simulator/name-vocabulary.js';
import { piiCorpus } from '../tests/fixtures/pii-corpus.js';
import { type Score, scorePiiScanner } from '../tests/fixtures/pii-scores.js';
import { writeBenchmarkSection } from './benchmark-report.js';

const args = process.argv.slice(2);
const seedsAt = args.indexOf('--seeds');
const seeds = seedsAt >= 0 ? Number(args[seedsAt + 1]) : 5;
const corpus = Array.from({ length: seeds }, (_, i) => piiCorpus(1000 + i, 5, 200)).flat();
const { columns, values } = scorePiiScanner(corpus, simulatorNameVocabulary());
const percent = (x: number) => `${(x * 100).toFixed(1)} %`;
const row = (kind: string, c: Score, v: Score) =>
  `| ${kind} | ${percent(c.precision)} | ${percent(c.recall)} | ${percent(v.precision)} | ${percent(v.recall)} | ${v.falsePositives} |`;
const kinds = Object.keys(columns).filter((k) => k !== 'all');
const positives = corpus.filter((c) => c.label !== null).length;
const markdown = `
## PII scanner: precision and recall (\`bench/pii-scan-bench.ts\`)

\`npx tsx bench/pii-scan-bench.ts --seeds ${seeds}\` — ${corpus.length} labelled columns of 200 values
(${positives} holding personal data, ${corpus.length - positives} hard negatives: ids and ISBNs of card
length, IPv4 and account numbers, company, city and product names, timestamps, amounts, URLs, user
agents, sentences), ${seeds} seeds of Faker's English data — the vocabulary the simulator draws
names from. *Column* is what the \`no_undeclared_pii\` check decides (a fifth of the sampled values,
at least 3, of one kind); *value* is a single detection. Not a speed figure.

| kind | column precision | column recall | value precision | value recall | false positive values |
| --- | ---: | ---: | ---: | ---: | ---: |
${kinds.map((k) => row(k, columns[k as keyof typeof columns], values[k as keyof typeof values])).join('\n')}
| all | ${percent(columns.all.precision)} | ${percent(columns.all.recall)} | ${percent(values.all.precision)} | ${percent(values.all.recall)} | ${values.all.falsePositives} |

The false positive values are random 16-digit references that happen to start with a card
network's prefix and pass Luhn (about 1 in 30); no column of them reaches the flagging share. Names
are recognised only from the vocabulary, and the corpus draws its names from the same one, so the
name figures are an upper bound: a real customer base needs its own first- and last-name
lists (the check takes any \`NameVocabulary\`); addresses are not detected.
`;
console.log(markdown);
if (args.includes('--write')) writeBenchmarkSection('pii-scan', markdown);
