import {
  type AppDefinition,
  ConfigError,
  createSafeLogger,
  type HostConfig,
  loadHostConfig,
  type ModuleDefinition,
  modulesOfProfile,
  openDatabase,
} from '@switchyard/host';
import { pgliteDatabaseExists, type SqlClient, SqlError } from '@switchyard/postgres';
import pino, { type Logger } from 'pino';
import { loadApp } from './app-loader.ts';
import { CliError, exitCodes } from './exit-codes.ts';
import { explainFailure } from './failure-messages.ts';
import type { Output } from './output.ts';

/** The options every command takes. */
export interface GlobalOptions {
  readonly app?: string;
  readonly config?: string;
  readonly profile?: string;
  readonly json?: boolean;
  readonly verbose?: boolean;
}

/** What a command works with: the app, its validated configuration, and where to write. */
export interface CommandContext {
  readonly app: AppDefinition;
  readonly config: HostConfig;
  readonly env: NodeJS.ProcessEnv;
  /** The folder `yard` was started in: relative paths on the command line start here. */
  readonly cwd: string;
  readonly output: Output;
  readonly logger: Logger;
  /** The modules of the configured profile. */
  modules(): ModuleDefinition[];
  /**
   * Opens the configured database for `work` and closes it afterwards. An embedded folder that holds
   * no database is refused unless `create` is set, so that a command that only reads never leaves a
   * new, empty database behind (in the wrong folder, as often as not).
   */
  withDatabase<T>(work: (sql: SqlClient) => Promise<T>, options?: { create?: boolean }): Promise<T>;
}

export async function commandContext(
  options: GlobalOptions,
  io: { env: NodeJS.ProcessEnv; cwd: string; output: Output },
): Promise<CommandContext> {
  const env: NodeJS.ProcessEnv = {
    ...io.env,
    ...(options.profile ? { SWITCHYARD_PROFILE: options.profile } : {}),
  };
  const app = await loadApp(options.app, env, io.cwd);
  let config: HostConfig;
  try {
    const file = options.config ?? env.SWITCHYARD_CONFIG;
    config = loadHostConfig({ env, cwd: io.cwd, ...(file ? { file } : {}) }).config;
  } catch (error) {
    if (error instanceof ConfigError) throw new CliError(error.message, exitCodes.usage);
    throw error;
  }
  // Commands speak through their output; the libraries' logs only with --verbose, on stderr.
  const logger = createSafeLogger(options.verbose ? 'debug' : 'silent', pino.destination(2));
  return {
    app,
    config,
    env,
    cwd: io.cwd,
    output: io.output,
    logger,
    modules: () => {
      try {
        return modulesOfProfile(app.modules(), app.profiles ?? {}, config.profile);
      } catch (error) {
        throw new CliError(error instanceof Error ? error.message : String(error), exitCodes.usage);
      }
    },
    async withDatabase(work, { create = false } = {}) {
      const { url, dataDir } = config.database;
      // The host's loader made dataDir absolute; '' and 'memory' keep the database in memory.
      if (url === undefined && dataDir !== '' && dataDir !== 'memory') {
        io.output.info(`Embedded database: ${dataDir}`);
        if (!create && !pgliteDatabaseExists(dataDir)) {
          throw new CliError(
            `No embedded database at ${dataDir}: start the app once, or run \`yard migrate\` (or set DATABASE_URL to use PostgreSQL)`,
            exitCodes.notFound,
          );
        }
      }
      const server = url === undefined ? undefined : ({ kind: 'PostgreSQL', url } as const);
      let sql: SqlClient;
      try {
        sql = await openDatabase(config, logger);
      } catch (error) {
        throw explainFailure(error, server) ?? error;
      }
      try {
        return await work(sql);
      } catch (error) {
        // The pool connects on the first statement: a server that is down shows here, as an SqlError.
        throw (error instanceof SqlError ? explainFailure(error, server) : undefined) ?? error;
      } finally {
        await sql.close();
      }
    },
  };
}
