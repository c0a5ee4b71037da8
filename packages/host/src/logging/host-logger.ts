import type { Logger } from 'pino';
import { chooseLogFormat, type LogFormat, type LogOutput, wantsColor } from './log-format.ts';
import { createPrettyLogStream, type TextOutput } from './pretty-log-stream.ts';
import { createSafeLogger } from './safe-logger.ts';

/** The `log` section of the host's configuration. */
export interface HostLogSettings {
  readonly level: string;
  readonly format: LogFormat;
}

/**
 * The host's logger, writing to `output` (stdout by default) in the configured format: JSON lines, or
 * readable ones (see `createPrettyLogStream`). Either way it is a safe logger: no secret is written.
 */
export function createHostLogger(
  settings: HostLogSettings,
  output: TextOutput & LogOutput = process.stdout,
  env: Record<string, string | undefined> = process.env,
): Logger {
  if (chooseLogFormat(settings.format, output) === 'pretty') {
    return createSafeLogger(
      settings.level,
      createPrettyLogStream(output, { color: wantsColor(output, env) }),
    );
  }
  // On stdout, pino's own destination, which writes without Node's stream buffering.
  return createSafeLogger(settings.level, output === process.stdout ? undefined : output);
}
