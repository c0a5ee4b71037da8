import { execFile } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';

// For fault tests only: these restart the servers every test shares, so such tests run alone.
const run = promisify(execFile);

/** Stops the local broker's application and starts it again: every connection drops, durable queues stay. */
export async function restartRabbitMq(downMs: number): Promise<void> {
  await run('rabbitmqctl', ['stop_app'], { timeout: 60_000 });
  await sleep(downMs);
  await run('rabbitmqctl', ['start_app'], { timeout: 60_000 });
}

/** Restarts the local PostgreSQL cluster in fast mode: open sessions are ended, not waited for. */
export async function restartPostgres(): Promise<void> {
  const [version] = await readdir('/etc/postgresql');
  await run('pg_ctlcluster', ['--skip-systemctl-redirect', String(version), 'main', 'restart', '-m', 'fast']);
}
