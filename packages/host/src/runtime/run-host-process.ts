import { bounded, redactSecrets } from '@switchyard/bus';
import { ConfigError } from '../config/config-error.ts';
import { type HostConfig, loadHostConfig } from '../config/host-config.ts';
import { createHostLogger } from '../logging/host-logger.ts';
import type { DeploymentProfiles, ModuleDefinition } from '../modules/module.ts';
import { createHost } from './host.ts';
import { runUntilSignalled } from './run-until-signalled.ts';

/** Exit codes of a host process, for scripts and process managers. */
export const hostExitCodes = { stopped: 0, failed: 1, badConfiguration: 2 } as const;

/** What a host process runs; configuration comes from the file and the environment. */
export interface HostProcessOptions {
  readonly modules: readonly ModuleDefinition[];
  readonly profiles?: DeploymentProfiles;
  readonly title?: string;
  readonly version?: string;
  /** A JSON or YAML file (default: `SWITCHYARD_CONFIG`, else none). */
  readonly configFile?: string;
  /** Overrides on top of the environment (the CLI's `--profile`, for example). */
  readonly env?: Record<string, string | undefined>;
  /**
   * Configuration the caller has already loaded and validated (the CLI does, to report a bad one as a
   * usage error); when given, neither the file nor the environment is read again.
   */
  readonly config?: HostConfig;
}

/**
 * Runs a host as the process's main job: loads and validates the configuration, starts, and stops on
 * SIGTERM or SIGINT. Resolves with the exit code; a bad configuration is printed as its list of problems.
 */
export async function runHostProcess(options: HostProcessOptions): Promise<number> {
  let config: HostConfig;
  try {
    config = options.config ?? loadConfig(options);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    return hostExitCodes.badConfiguration;
  }
  const logger = createHostLogger(config.log);
  try {
    const host = createHost({
      config,
      modules: options.modules,
      logger,
      ...(options.profiles ? { profiles: options.profiles } : {}),
      ...(options.title ? { title: options.title } : {}),
      ...(options.version ? { version: options.version } : {}),
    });
    await runUntilSignalled(host, { deadlineMs: config.shutdown.deadlineMs, logger });
    return hostExitCodes.stopped;
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      return hostExitCodes.badConfiguration;
    }
    // The message is a driver's as often as ours, and may quote a connection string.
    const message = error instanceof Error ? bounded(redactSecrets(error.message), 500) : 'The host failed';
    logger.fatal({ err: error }, message);
    return hostExitCodes.failed;
  }
}

function loadConfig(options: HostProcessOptions): HostConfig {
  const env = { ...process.env, ...options.env };
  const file = options.configFile ?? env.SWITCHYARD_CONFIG;
  return loadHostConfig({ env, ...(file ? { file } : {}) }).config;
}
