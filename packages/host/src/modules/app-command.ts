/**
 * A command an application adds to `yard` (`yard trades show <tradeId>`). It speaks to the running
 * application over its HTTP API rather than to its database or broker: the API holds the rules (what a
 * retry may do, who may see what), and it works the same whether the app runs embedded, where a second
 * process cannot open the database, or on PostgreSQL and RabbitMQ.
 */
export interface AppCommand {
  /** The words after `yard`, e.g. `trades show`; the first names a group of the app's own. */
  readonly name: string;
  readonly description: string;
  /** Positional arguments, in order, all required. */
  readonly arguments?: readonly AppCommandArgument[];
  /** Options, each taking a value (`--kind <kind>`) unless `flag` is set. */
  readonly options?: readonly AppCommandOption[];
  run(input: AppCommandInput): Promise<AppCommandResult>;
}

export interface AppCommandArgument {
  readonly name: string;
  readonly description: string;
}

export interface AppCommandOption {
  /** Without the dashes: `kind` is `--kind <kind>`. */
  readonly name: string;
  readonly description: string;
  /** A switch without a value (`--all`). */
  readonly flag?: boolean;
}

export interface AppCommandInput {
  readonly arguments: Readonly<Record<string, string>>;
  readonly options: Readonly<Record<string, string | boolean | undefined>>;
  readonly api: AppApi;
}

/** The running application's HTTP API, as `yard` reaches it. */
export interface AppApi {
  /** Where the app answers (`http://127.0.0.1:3000`). */
  readonly url: string;
  /**
   * Calls the API and resolves with the answer's JSON body. A problem answer (4xx, 5xx) rejects with
   * an error carrying its status and problem, which `yard` prints and turns into its exit code.
   */
  request(
    method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
    path: string,
    body?: unknown,
  ): Promise<unknown>;
}

/** What a command shows: `value` with `--json`, else its tables (or `value` as JSON when it has none). */
export interface AppCommandResult {
  readonly value: unknown;
  readonly tables?: readonly AppCommandTable[];
  /** Lines above the tables, for people (not with `--json`). */
  readonly notes?: readonly string[];
}

export interface AppCommandTable {
  readonly title?: string;
  readonly head: readonly string[];
  readonly rows: readonly (readonly (string | number)[])[];
}
