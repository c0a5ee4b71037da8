import { runHostProcess } from '@switchyard/host';
import type { CommandContext } from '../command-context.ts';

/** `yard start`: runs the app's modules (of the profile) until SIGTERM or SIGINT. */
export async function startCommand(context: CommandContext): Promise<number> {
  return runHostProcess({
    modules: context.app.modules(),
    title: context.app.title,
    version: context.app.version,
    // Loaded once, by the command context, which already reported a bad one as a usage error.
    config: context.config,
    ...(context.app.profiles ? { profiles: context.app.profiles } : {}),
  });
}
