/**
 * The shell script the `shopflow` container starts with. It builds the PostgreSQL URL of the
 * warehouse (`DATABASE_URL`) and of the instance store (`SHOPFLOW_INSTANCE_URL`) from the database
 * host, port and name (plain environment) and the user name and password (injected by ECS from
 * Secrets Manager), with full TLS verification against the RDS CA bundle baked into the image,
 * removes the password variable, and then runs `shopflow` with the container's command as its
 * arguments. The password is never part of the task definition.
 */
export const ENTRY_POINT_SCRIPT = [
  'set -eu',
  'db_url="postgres://$SHOPFLOW_DB_USERNAME:$SHOPFLOW_DB_PASSWORD@$SHOPFLOW_DB_HOST:$SHOPFLOW_DB_PORT/$SHOPFLOW_DB_NAME?sslmode=verify-full&sslrootcert=$SHOPFLOW_DB_CA_BUNDLE"',
  'export DATABASE_URL="$db_url" SHOPFLOW_INSTANCE_URL="$db_url"',
  'unset SHOPFLOW_DB_PASSWORD db_url',
  'exec shopflow "$@"',
].join('\n');

/**
 * The container's entry point: `sh -c SCRIPT shopflow`, so the container command (or a `run-task`
 * command override such as `["runs", "show", "5f0c2a9e"]`) becomes the arguments of `shopflow`.
 *
 * @example
 * container = taskDefinition.addContainer('shopflow', { entryPoint: CONTAINER_ENTRY_POINT, command: ['daemon', '--wait'], … });
 */
export const CONTAINER_ENTRY_POINT: readonly string[] = ['sh', '-c', ENTRY_POINT_SCRIPT, 'shopflow'];
