/**
 * The dotted form of a configuration field path, as users write it in messages and docs.
 *
 * @example
 * formatConfigPath(['resources', 'generator', 'days']); // 'resources.generator.days'
 * formatConfigPath(['schedules', 0, 'cron']);           // 'schedules[0].cron'
 */
export function formatConfigPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out === '' ? String(segment) : `.${String(segment)}`;
  }
  return out === '' ? '(top level)' : out;
}
