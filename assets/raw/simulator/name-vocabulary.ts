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
  // NOTE: Faker loads on the first scan, not with the definitions (commands that scan nothing never
  // load it), and only its English locale (see english-faker.ts).
  const { faker } = createRequire(import.meta.url)(
    '@faker-js/faker/locale/en',
  ) as typeof import('@faker-js/faker/locale/en');
  const first = faker.rawDefinitions.person?.first_name;
  const last = faker.rawDefinitions.person?.last_name;
  vocabulary = new NameVocabulary(
    [...(first?.generic ?? []), ...(first?.female ?? []), ...(first?.male ?? [])],
    last?.generic ?? [],
  );
  return vocabulary;
}
