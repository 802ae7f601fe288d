import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { CommandDefinition, DoctorCheck } from '../../framework/index.js';
import { validateSection } from '../../framework/index.js';
import { applyDdl } from '../../resources/postgres/apply-ddl.js';
import {
  embeddedPostgresState,
  stopEmbeddedPostgres,
} from '../../resources/postgres/embedded-postgres-server.js';
import { PostgresConfigSchema } from '../../resources/postgres/postgres-config.js';
import { createPostgresResource } from '../../resources/postgres/postgres-resource.js';
import { redactConnectionUrl } from '../../resources/postgres/redact-connection-url.js';

function postgresConfig(context: {
  config: Parameters<CommandDefinition['run']>[0]['config'];
  home: string;
}) {
  const config = validateSection(context.config, 'postgres', PostgresConfigSchema.optional()) ?? {
    mode: 'embedded' as const,
  };
  return config.mode === 'embedded'
    ? { mode: 'embedded' as const, dir: config.dir ?? join(context.home, 'postgres') }
    : config;
}

/** `shopflow db setup`: applies `sql/ddl/` (idempotent), starting the embedded server if needed. */
export const dbSetupCommand: CommandDefinition = {
  name: 'db setup',
  description: 'create or update the warehouse schema (sql/ddl), idempotently',
  async run(context) {
    const config = postgresConfig(context);
    const pg = await createPostgresResource(config, { home: context.home });
    try {
      const applied = await applyDdl(pg.pool);
      if (context.json) context.stdout.write(`${JSON.stringify({ url: pg.url, files: applied.files })}\n`);
      else context.stdout.write(`Applied ${applied.files.length} DDL files to ${pg.url}\n`);
    } finally {
      await pg.close();
    }
    return 0;
  },
};

/** `shopflow db stop`: stops the embedded PostgreSQL server of this home folder. */
export const dbStopCommand: CommandDefinition = {
  name: 'db stop',
  description: 'stop the embedded PostgreSQL server',
  async run(context) {
    const config = postgresConfig(context);
    if (config.mode !== 'embedded') {
      context.stdout.write(
        'The warehouse is an external server (resources.postgres.mode: url); nothing to stop.\n',
      );
      return 0;
    }
    const before = embeddedPostgresState(config.dir);
    const stopped = await stopEmbeddedPostgres(config.dir);
    context.stdout.write(
      stopped
        ? `Stopped the embedded PostgreSQL in ${config.dir}\n`
        : before.stalePidFile
          ? `No embedded PostgreSQL is running: the server of pid ${before.pid} was killed and left its postmaster.pid, which the next start replaces.\n`
          : 'No embedded PostgreSQL is running.\n',
    );
    return 0;
  },
};

/** `shopflow db status`: where the warehouse is and whether the embedded server runs. */
export const dbStatusCommand: CommandDefinition = {
  name: 'db status',
  description: 'show where the warehouse is and whether the embedded server is running',
  async run(context) {
    const config = postgresConfig(context);
    const embedded = config.mode === 'embedded' ? embeddedPostgresState(config.dir) : undefined;
    const status =
      config.mode === 'embedded'
        ? {
            mode: 'embedded',
            dir: config.dir,
            running: embedded!.running,
            ...(embedded!.running ? { pid: embedded!.pid, port: embedded!.port } : {}),
            ...(embedded!.stalePidFile
              ? {
                  note: `the server of pid ${embedded!.pid} was killed; its stale postmaster.pid is replaced at the next start`,
                }
              : {}),
          }
        : { mode: 'url', url: redactConnectionUrl(config.url) };
    if (context.json) context.stdout.write(`${JSON.stringify(status)}\n`);
    else
      context.stdout.write(
        `${Object.entries(status)
          .map(([k, v]) => `${k.padEnd(8)} ${v}`)
          .join('\n')}\n`,
      );
    return 0;
  },
};

/**
 * `shopflow doctor`: whether the embedded PostgreSQL of this home runs, judged from its process; a
 * server that was killed leaves its `postmaster.pid`, which `--repair` removes.
 */
export const embeddedPostgresDoctorCheck: DoctorCheck = {
  name: 'embedded PostgreSQL',
  async run({ runtime, home, repair }) {
    const check = 'embedded PostgreSQL';
    const config = postgresConfig({ config: runtime.config, home });
    if (config.mode !== 'embedded') {
      return [
        {
          check,
          subject: 'warehouse',
          status: 'ok',
          detail: 'an external server (resources.postgres.mode: url); nothing embedded to check',
        },
      ];
    }
    const state = embeddedPostgresState(config.dir);
    if (state.running) {
      return [
        { check, subject: config.dir, status: 'ok', detail: `running, pid ${state.pid}, port ${state.port}` },
      ];
    }
    if (!state.stalePidFile) {
      return [
        {
          check,
          subject: config.dir,
          status: 'ok',
          detail: 'stopped; the next command that needs it starts it',
        },
      ];
    }
    const what = `the server of pid ${state.pid} was killed and left its postmaster.pid`;
    if (!repair) {
      return [
        {
          check,
          subject: config.dir,
          status: 'problem',
          detail: what,
          fix: 'shopflow doctor --repair (the next start also replaces it)',
        },
      ];
    }
    rmSync(join(config.dir, 'data', 'postmaster.pid'), { force: true });
    return [{ check, subject: config.dir, status: 'repaired', detail: `${what}: removed it` }];
  },
};
