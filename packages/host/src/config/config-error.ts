import { ConfigurationError } from '@switchyard/bus';

/** One problem found while loading configuration. */
export interface ConfigIssue {
  /** Dotted path of the setting, e.g. `http.port`; empty when the problem is the whole file. */
  readonly path: string;
  /** Where the value came from: `default`, `file <path>`, `env NAME` or `alias NAME`. */
  readonly source: string;
  /** The rule that was broken and, when there was a value, the value itself. */
  readonly message: string;
}

/** Configuration could not be loaded; `issues` lists every problem, and so does the message, one per line. */
export class ConfigError extends ConfigurationError {
  readonly issues: readonly ConfigIssue[];

  constructor(issues: readonly ConfigIssue[]) {
    super(['Invalid configuration:', ...issues.map((issue) => `  ${formatConfigIssue(issue)}`)].join('\n'));
    this.issues = issues;
  }
}

/** Renders an issue as `path (from source): message`, or `source: message` for a file-wide problem. */
export function formatConfigIssue(issue: ConfigIssue): string {
  return issue.path === ''
    ? `${issue.source}: ${issue.message}`
    : `${issue.path} (from ${issue.source}): ${issue.message}`;
}
