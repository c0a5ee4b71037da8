import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ConsumerReport } from './slot-consumer.ts';

const script = fileURLToPath(new URL('./slot-consumer.ts', import.meta.url));

/** A consumer process of the slots benchmark (slot-consumer.ts). */
export interface ConsumerProcess {
  /** Stops consuming and resolves once its last handled messages have been reported. */
  stop(): Promise<void>;
}

/**
 * Starts a consumer process and resolves once it consumes: `slot` runs a Switchyard bus in that slot
 * on endpoint `endpoint`; without one, raw amqplib on queue `endpoint`. `onHandled` hears each message
 * it handled: its sequence number and when, in monotonic ms.
 */
export async function startConsumer(options: {
  readonly url: string;
  readonly endpoint: string;
  readonly slot?: string;
  readonly onHandled: (seq: number, handledAt: number) => void;
}): Promise<ConsumerProcess> {
  const child: ChildProcess = spawn(process.execPath, [script], {
    env: {
      ...process.env,
      RABBITMQ_URL: options.url,
      ENDPOINT: options.endpoint,
      CONSUMER: options.slot ? 'slot' : 'raw',
      SLOT: options.slot ?? '',
    },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let stopped: () => void = () => {};
  const stoppedReported = new Promise<void>((resolve) => {
    stopped = resolve;
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    child.on('message', (message: ConsumerReport) => {
      if ('ready' in message) resolve();
      else if ('handled' in message) {
        for (let index = 0; index < message.handled.length; index += 2)
          options.onHandled(message.handled[index] ?? -1, message.handled[index + 1] ?? Number.NaN);
      } else if ('stopped' in message) stopped();
    });
    child.once('exit', (code) =>
      reject(new Error(`consumer ${options.slot ?? 'raw'} exited (${code}) before it consumed`)),
    );
  });
  return {
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.send('stop');
      // A consumer that cannot stop within 10 s is killed; what it had not reported counts as missing.
      const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await Promise.race([stoppedReported, exited]);
      await exited;
      clearTimeout(killer);
    },
  };
}
