import type { AppCommand, AppDefinition } from '@switchyard/host';
import { type Command, Option } from 'commander';
import { httpAppApi } from '../app-api.ts';
import type { CommandContext } from '../command-context.ts';
import { CliError, exitCodes } from '../exit-codes.ts';

type Run = (work: (context: CommandContext) => Promise<number>) => () => Promise<void>;

/**
 * Adds the app's own commands (AppDefinition.commands) to `yard`, each under its group
 * (`trades show` under `yard trades`). A group may not take the name of one of `yard`'s own commands:
 * the app would silently change what a documented command does.
 */
export function addAppCommands(program: Command, app: AppDefinition, run: Run): void {
  const ours = new Set(program.commands.map((command) => command.name()));
  const groups = new Map<string, Command>();
  for (const definition of app.commands ?? []) {
    const words = definition.name.trim().split(/\s+/);
    const leaf = words.pop();
    if (!leaf) throw new CliError(`${app.title} declares a yard command without a name`, exitCodes.usage);
    let parent = program;
    for (const [depth, word] of words.entries()) {
      if (depth === 0 && ours.has(word)) {
        throw new CliError(
          `${app.title} declares the yard command "${definition.name}", but "${word}" is one of yard's own commands`,
          exitCodes.usage,
        );
      }
      const path = words.slice(0, depth + 1).join(' ');
      let group = groups.get(path);
      if (!group) {
        group = parent.command(word).description(`${app.title}: ${path}`);
        groups.set(path, group);
      }
      parent = group;
    }
    addOne(parent, leaf, definition, run);
  }
}

function addOne(parent: Command, leaf: string, definition: AppCommand, run: Run): void {
  const argumentNames = (definition.arguments ?? []).map((each) => each.name);
  const command = parent
    .command([leaf, ...argumentNames.map((name) => `<${name}>`)].join(' '))
    .description(definition.description)
    .addOption(
      new Option(
        '--url <url>',
        'where the app answers (default: http.host and http.port of its configuration)',
      ),
    );
  for (const option of definition.options ?? []) {
    if (option.name === 'url') {
      throw new CliError(
        `${definition.name} declares --url, which yard gives every app command (where the app answers)`,
        exitCodes.usage,
      );
    }
    command.addOption(
      new Option(option.flag ? `--${option.name}` : `--${option.name} <${option.name}>`, option.description),
    );
  }
  command.action((...received: unknown[]) => {
    const values = received.slice(0, argumentNames.length) as string[];
    const options = received[argumentNames.length] as Record<string, string | boolean | undefined>;
    return run(async (context) => {
      const api = httpAppApi(
        (options.url as string | undefined) ?? urlOf(context),
        context.config.http.operationsToken,
      );
      const result = await definition.run({
        arguments: Object.fromEntries(argumentNames.map((name, index) => [name, values[index] as string])),
        options: Object.fromEntries(Object.entries(options).filter(([name]) => name !== 'url')),
        api,
      });
      const tables = result.tables && result.tables.length > 0 ? result.tables : undefined;
      if (!context.output.json) for (const note of result.notes ?? []) context.output.note(note);
      // For people, notes alone can say it all (a command that only acknowledges); scripts get the value.
      if (context.output.json || tables || !result.notes?.length) context.output.result(result.value, tables);
      return exitCodes.ok;
    })();
  });
}

/** Where the configured app listens, as a client on this machine reaches it. */
function urlOf(context: CommandContext): string {
  const { host, port } = context.config.http;
  const reachable = host === '0.0.0.0' || host === '::' || host === '' ? '127.0.0.1' : host;
  return `http://${reachable.includes(':') ? `[${reachable}]` : reachable}:${port}`;
}
