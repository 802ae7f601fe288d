// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are configuration text with `${VAR}` references.
import { describe, expect, it } from 'vitest';
import { interpolateEnv } from '../../../framework/config/interpolate-env.js';
import { ShopflowError } from '../../../framework/errors/error-catalog.js';

const file = 'config/prod.yaml';

function thrown(run: () => unknown): ShopflowError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ShopflowError);
    return error as ShopflowError;
  }
  throw new Error('expected an error');
}

describe('interpolateEnv', () => {
  it('substitutes ${VAR} in nested values, lists and inside longer strings', () => {
    const { value } = interpolateEnv(
      { a: '${HOST}', b: { c: ['x-${HOST}-${PORT}', 'plain'] }, n: 3, t: true, z: null },
      { environment: { HOST: 'db', PORT: '5432' }, file },
    );
    expect(value).toEqual({ a: 'db', b: { c: ['x-db-5432', 'plain'] }, n: 3, t: true, z: null });
  });

  it('uses the default of ${VAR:-default} when the variable is unset or empty, the value otherwise', () => {
    const input = {
      a: '${REGION:-eu-west-1}',
      b: '${EMPTY:-fallback}',
      c: '${SET:-ignored}',
      d: '${NONE:-}',
    };
    const { value } = interpolateEnv(input, { environment: { EMPTY: '', SET: 'chosen' }, file });
    expect(value).toEqual({ a: 'eu-west-1', b: 'fallback', c: 'chosen', d: '' });
  });

  it('keeps defaults containing colons and slashes', () => {
    const { value } = interpolateEnv({ url: '${URL:-http://localhost:9000/x}' }, { environment: {}, file });
    expect(value).toEqual({ url: 'http://localhost:9000/x' });
  });

  it('turns $${ into a literal ${ without substituting', () => {
    const { value } = interpolateEnv(
      { a: '$${HOME}', b: 'cost: $$5 and $${X:-y} then ${V}' },
      { environment: { HOME: 'nope', V: 'v' }, file },
    );
    expect(value).toEqual({ a: '${HOME}', b: 'cost: $$5 and ${X:-y} then v' });
  });

  it('does not interpolate keys', () => {
    const { value } = interpolateEnv({ '${KEY}': 'x' }, { environment: { KEY: 'k' }, file });
    expect(value).toEqual({ '${KEY}': 'x' });
  });

  it('reports a missing required variable with its name, the file, the field path and the fix', () => {
    const error = thrown(() =>
      interpolateEnv({ resources: { postgres: { url: '${DATABASE_URL}' } } }, { environment: {}, file }),
    );
    expect(error.code).toBe('SF_CONFIG_MISSING_ENV');
    expect(error.exitCode).toBe(2);
    expect(error.message).toContain('DATABASE_URL');
    expect(error.message).toContain('config/prod.yaml');
    expect(error.message).toContain('`resources.postgres.url`');
    expect(error.message).toContain('export DATABASE_URL=… or add it to .env');
  });

  it('reports an empty required variable as empty', () => {
    const error = thrown(() => interpolateEnv({ a: '${TOKEN}' }, { environment: { TOKEN: '' }, file }));
    expect(error.code).toBe('SF_CONFIG_MISSING_ENV');
    expect(error.message).toContain('TOKEN is empty');
  });

  it('lists every missing variable at once, each with its fields and location', () => {
    const error = thrown(() =>
      interpolateEnv(
        { a: '${ONE}', b: { c: '${TWO}' }, d: ['${ONE}'] },
        { environment: {}, file, locate: (path) => `${file}:${path.length}:1` },
      ),
    );
    expect(error.message).toContain('2 environment variables');
    expect(error.message).toContain('ONE for `a` (config/prod.yaml:1:1), `d[0]` (config/prod.yaml:2:1)');
    expect(error.message).toContain('TWO for `b.c` (config/prod.yaml:2:1)');
    expect(error.message).toContain('export ONE=… TWO=… or add them to .env');
    expect(error.details).toMatchObject({ variables: ['ONE', 'TWO'], fields: ['a', 'd[0]', 'b.c'] });
  });

  it.each([
    ['${BAD-NAME}', '`${BAD-NAME}`'],
    ['${UNCLOSED', '`${UNCLOSED`'],
    ['${}', '`${}`'],
    ['${A:-${B}}', '`${A:-${B}`'],
  ])('rejects the malformed reference %s naming the field', (text, shown) => {
    const error = thrown(() => interpolateEnv({ logging: { file: text } }, { environment: {}, file }));
    expect(error.code).toBe('SF_CONFIG_INVALID');
    expect(error.message).toContain(shown);
    expect(error.message).toContain('`logging.file`');
    expect(error.message).toContain('config/prod.yaml');
    expect(error.message).toContain('$${');
  });

  it('records values of secret-looking variables and URL passwords as secrets', () => {
    const { secrets } = interpolateEnv(
      {
        a: '${DB_PASSWORD}',
        b: '${API_TOKEN}',
        c: '${SIGNING_KEY:-default-key}',
        d: '${DATABASE_URL}',
        e: 'redis://:literal%40pw@cache:6379',
        f: '${BUCKET}',
        g: '${AWS_SECRET_ACCESS_KEY:-}',
      },
      {
        environment: {
          DB_PASSWORD: 'pw-1',
          API_TOKEN: 'tok-2',
          DATABASE_URL: 'postgres://app:url-pw@db:5432/shop',
          BUCKET: 'public-bucket',
        },
        file,
      },
    );
    expect(secrets.sort()).toEqual(
      ['default-key', 'literal%40pw', 'literal@pw', 'pw-1', 'tok-2', 'url-pw'].sort(),
    );
  });
});
