import { type CommandDefinition, setPaused } from '../../framework/index.js';

function pauseCommand(paused: boolean): CommandDefinition {
  const verb = paused ? 'pause' : 'resume';
  return {
    name: `schedules ${verb}`,
    description: paused
      ? 'pause a schedule or sensor: the daemon launches nothing for it until it is resumed'
      : 'resume a paused schedule or sensor (ticks due while it was paused are not caught up)',
    arguments: [{ name: 'name', description: 'the schedule or sensor', required: true }],
    async run(context, args) {
      const runtime = await context.runtime();
      const name = args[0];
      const { changed, state } = await setPaused({
        store: runtime.store,
        definitions: runtime.definitions,
        name,
        paused,
        by: 'the CLI',
        now: runtime.services.now(),
      });
      if (context.json) {
        context.stdout.write(
          `${JSON.stringify({ name, paused, changed, since: state?.changedAt ?? null })}\n`,
        );
        return 0;
      }
      const message = changed
        ? paused
          ? `Paused \`${name}\`: the daemon launches nothing for it until \`shopflow schedules resume ${name}\`.`
          : `Resumed \`${name}\`: its next tick runs; ticks due while it was paused are not caught up.`
        : `\`${name}\` is already ${paused ? `paused (since ${state?.changedAt}, by ${state?.by})` : 'running'}; nothing changed.`;
      context.stdout.write(`${message}\n`);
      return 0;
    },
  };
}

/**
 * `shopflow schedules pause NAME` and `shopflow schedules resume NAME`: pause or resume a schedule
 * or sensor in the instance store, so every daemon of the instance sees it on its next tick (see
 * the framework's `setPaused`). Register them after `schedulesCommand`.
 *
 * @example
 * defineDefinitions({ assets, schedules, commands: [schedulesCommand, ...pauseCommands] });
 */
export const pauseCommands: CommandDefinition[] = [pauseCommand(true), pauseCommand(false)];
