/**
 * A bad or missing CDK context value (`-c key=value` or `cdk.json`). The message quotes the value,
 * names the context key it came from and says how to fix it.
 *
 * @example
 * throw new InfraContextError('env', 'qa', 'pass -c env=dev, -c env=staging or -c env=prod');
 */
export class InfraContextError extends Error {
  constructor(
    readonly key: string,
    readonly value: unknown,
    fix: string,
  ) {
    const shown = value === undefined ? 'missing' : `${JSON.stringify(value)} is not valid`;
    super(`CDK context "${key}": ${shown}; ${fix}`);
    this.name = 'InfraContextError';
  }
}
