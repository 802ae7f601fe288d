import { didYouMean } from '../../framework/errors/did-you-mean.js';
import { ShopflowError } from '../../framework/errors/error-catalog.js';

/**
 * The `SF_OBJECT_NOT_FOUND` error for a missing key or version, with the nearest existing keys or
 * the versions that do exist as the hint.
 *
 * @example
 * throw objectNotFound({ key: 'raw/a.csv', where: 's3://landing/', siblings: ['raw/b.csv'] });
 */
export function objectNotFound(options: {
  key: string;
  where: string;
  versionId?: string;
  knownVersions?: string[];
  siblings?: string[];
}): ShopflowError {
  const { key, where, versionId } = options;
  if (versionId !== undefined) {
    const known = options.knownVersions ?? [];
    if (known.includes(versionId)) {
      return new ShopflowError(
        'SF_OBJECT_NOT_FOUND',
        `version \`${versionId}\` of \`${key}\` is recorded in ${where} but its bytes are missing`,
        {
          hint: 'something outside ShopFlow removed or replaced it; restore it from a backup or re-land the file',
        },
      );
    }
    return new ShopflowError(
      'SF_OBJECT_NOT_FOUND',
      `object \`${key}\` has no version \`${versionId}\` in ${where}`,
      {
        hint:
          known.length === 0
            ? 'the key has no versions at all'
            : (didYouMean(versionId, known) ?? `its versions are ${known.map((v) => `\`${v}\``).join(', ')}`),
      },
    );
  }
  const folder = key.includes('/') ? key.slice(0, key.lastIndexOf('/') + 1) : '';
  return new ShopflowError('SF_OBJECT_NOT_FOUND', `no object \`${key}\` in ${where}`, {
    hint:
      didYouMean(key, options.siblings ?? []) ??
      `list what exists with \`list('${folder}')\`${(options.siblings ?? []).length === 0 ? ' (that folder is empty)' : ''}`,
  });
}
