import { runHostProcess } from '@switchyard/host';
import type { CommandContext } from '../command-context.ts';

/** `yard start`: runs the app's modules (of the profile) until SIGTERM or SIGINT. */
export async function startCommand(context: CommandContext, configFile: string | undefined): Promise<number> {
  return runHostProcess({
    modules: context.app.modules(),
    title: context.app.title,
    version: context.app.version,
    env: context.env,
    ...(context.app.profiles ? { profiles: context.app.profiles } : {}),
    ...(configFile ? { configFile } : {}),
  });
}
