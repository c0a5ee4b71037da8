import { pino } from 'pino';
import { loadCoreConfig } from './config.ts';
import { CoreConfigError } from './legacy-core-problems.ts';
import { startLegacyCore } from './server/start-legacy-core.ts';

// The core as its own process: config from defaults, LEGACY_CORE_* variables and flags; logs (pino)
// go to stderr so stdout carries only the one JSON line a supervisor or test reads the port from.
const logger = pino({ level: process.env.LOG_LEVEL ?? 'info' }, pino.destination(2));

try {
  const config = loadCoreConfig(process.env, process.argv.slice(2));
  const core = await startLegacyCore(config, { logger });
  process.stdout.write(`${JSON.stringify({ event: 'listening', host: core.host, port: core.port })}\n`);
  const stop = (signal: string): void => {
    logger.info({ signal }, 'legacy core stopping');
    void core.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
} catch (error) {
  if (!(error instanceof CoreConfigError)) throw error;
  console.error(error.message);
  process.exitCode = 2;
}
