import type { Logger } from 'pino';
import type { Host } from './host.ts';

/**
 * Starts the host and stops it on SIGTERM or SIGINT. If stopping takes longer than `deadlineMs` plus a
 * grace second, or a second signal arrives, the process exits with code 1 rather than hang.
 */
export async function runUntilSignalled(
  host: Host,
  options: { deadlineMs: number; logger: Logger },
): Promise<void> {
  await host.start();
  await new Promise<void>((resolve) => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (stopping) {
        options.logger.warn({ signal }, 'Second signal while stopping; exiting now');
        process.exit(1);
      }
      stopping = true;
      options.logger.info({ signal }, 'Signal received; shutting down');
      const timer = setTimeout(() => {
        options.logger.error({ deadlineMs: options.deadlineMs }, 'Shutdown overran its deadline; exiting');
        process.exit(1);
      }, options.deadlineMs + 1_000);
      timer.unref();
      host.stop().then(
        () => {
          process.off('SIGTERM', onSignal);
          process.off('SIGINT', onSignal);
          resolve();
        },
        (error: unknown) => {
          options.logger.error({ err: error }, 'Shutdown failed');
          process.exit(1);
        },
      );
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
}
