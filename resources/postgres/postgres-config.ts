import { z } from 'zod';

const POSTGRES_SCHEME = /^postgres(ql)?:\/\//;

/** Whether `url` parses, with its user and password inside the authority. */
function isWholeUrl(url: string): boolean {
  try {
    const parsed = new URL(url);
    // NOTE: an unencoded `/`, `?` or `#` in the password ends the authority early; the URL may still
    // parse, with the rest of the password and its `@` in the path, query or fragment.
    return !`${parsed.pathname}${parsed.search}${parsed.hash}`.includes('@');
  } catch {
    return false;
  }
}

/**
 * The `postgres` section of the configuration: either an embedded server kept in a folder (the
 * default for development and tests; nothing to install) or a server reached by a connection URL
 * (production, e.g. RDS through `${DATABASE_URL}`).
 *
 * @example
 * PostgresConfigSchema.parse({ mode: 'embedded' }); // server in <home>/postgres
 * PostgresConfigSchema.parse({ mode: 'url', url: 'postgres://shopflow:secret@db:5432/shopflow' });
 */
export const PostgresConfigSchema = z.discriminatedUnion('mode', [
  z
    .object({
      mode: z.literal('embedded'),
      /**
       * Folder holding the server's data, state file and log; created on first use.
       * `<home>/postgres` when absent.
       */
      dir: z.string().min(1, 'the embedded PostgreSQL folder must not be empty').optional(),
    })
    .strict(),
  z
    .object({
      mode: z.literal('url'),
      /** `postgres://user:password@host:port/database`; never logged unredacted. */
      url: z
        .string()
        .regex(POSTGRES_SCHEME, 'must be a connection URL starting with postgres:// or postgresql://')
        .refine(
          (url) => !POSTGRES_SCHEME.test(url) || isWholeUrl(url),
          'must be a valid URL; a password with reserved characters must be percent-encoded (e.g. `#` as `%23`, `/` as `%2F`, `?` as `%3F`)',
        ),
    })
    .strict(),
]);

/** A validated `postgres` configuration section. */
export type PostgresConfig = z.infer<typeof PostgresConfigSchema>;
