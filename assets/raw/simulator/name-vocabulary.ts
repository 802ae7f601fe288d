import { en } from '@faker-js/faker';
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
  const first = en.person?.first_name;
  const last = en.person?.last_name;
  vocabulary ??= new NameVocabulary(
    [...(first?.generic ?? []), ...(first?.female ?? []), ...(first?.male ?? [])],
    last?.generic ?? [],
  );
  return vocabulary;
}
