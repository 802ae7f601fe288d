import { createRequire } from 'node:module';
import { NameVocabulary } from '../../../framework/index.js';

let vocabulary: NameVocabulary | undefined;

/**
 * The first and last names the simulator draws customers' names from (Faker's English names), for
 * the PII scanner to recognise person names in columns that should not hold them.
 *
 * @example
 * simulatorNameVocabulary().isName('Ada Smith'); // true (Lovelace is not in it)
 */
export function simulatorNameVocabulary(): NameVocabulary {
  if (vocabulary) return vocabulary;
  // NOTE: Faker loads on the first scan, not with the definitions (commands that scan nothing never load it).
  const { en } = createRequire(import.meta.url)('@faker-js/faker') as typeof import('@faker-js/faker');
  const first = en.person?.first_name;
  const last = en.person?.last_name;
  vocabulary = new NameVocabulary(
    [...(first?.generic ?? []), ...(first?.female ?? []), ...(first?.male ?? [])],
    last?.generic ?? [],
  );
  return vocabulary;
}
