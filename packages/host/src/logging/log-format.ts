/** How the host writes its log: JSON lines, readable lines, or whichever suits where they go. */
export type LogFormat = 'auto' | 'json' | 'pretty';

/** Where log lines go, as far as choosing their format cares. */
export interface LogOutput {
  readonly isTTY?: boolean | undefined;
}

/**
 * The format lines are written in: `auto` is readable on a terminal, where a person reads them, and
 * JSON anywhere else (a pipe, a file, a container's log), where a collector parses them.
 */
export function chooseLogFormat(format: LogFormat, output: LogOutput): 'json' | 'pretty' {
  if (format !== 'auto') return format;
  return output.isTTY === true ? 'pretty' : 'json';
}

/** Whether to colour readable lines: on a terminal, unless `NO_COLOR` is set (no-color.org). */
export function wantsColor(
  output: LogOutput,
  env: Record<string, string | undefined> = process.env,
): boolean {
  return output.isTTY === true && (env.NO_COLOR ?? '') === '';
}
