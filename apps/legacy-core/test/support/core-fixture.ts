import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CoreConfigInput, type LegacyCore, startLegacyCore } from '../../src/index.ts';

/** A core on a free port with its own journal in a temporary folder; fast unless the test says otherwise. */
export async function startTestCore(
  config: CoreConfigInput = {},
): Promise<{ core: LegacyCore; journalPath: string; [Symbol.asyncDispose](): Promise<void> }> {
  const folder = await mkdtemp(join(tmpdir(), 'legacy-core-'));
  const journalPath = join(folder, 'journal.dat');
  const core = await startLegacyCore({
    port: 0,
    journalPath,
    latency: { medianMs: 0 },
    businessDate: '20261207',
    ...config,
  });
  return {
    core,
    journalPath,
    async [Symbol.asyncDispose]() {
      await core.close();
      await rm(folder, { recursive: true, force: true });
    },
  };
}

/** A posting the default core accepts; override what the test is about. */
export function aPosting(clientReference: string, amountMinor = 12_345) {
  return {
    clientReference,
    debitAccount: '10000001',
    creditAccount: '90000001',
    amountMinor,
    currency: 'GBP',
    valueDate: '2026-12-08',
  };
}

/**
 * A raw terminal: writes lines and reads replies, for tests that speak the protocol by hand.
 * `read(n)` waits for n reply lines; `closed` settles when the core hangs up.
 */
export async function rawTerminal(port: number) {
  const socket = connect({ port, host: '127.0.0.1' });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  let buffered = '';
  const lines: string[] = [];
  let notify = (): void => {};
  socket.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('latin1');
    const parts = buffered.split('\r\n');
    buffered = parts.pop() ?? '';
    lines.push(...parts);
    notify();
  });
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  return {
    send(...records: string[]): void {
      socket.write(records.map((record) => `${record}\r\n`).join(''), 'latin1');
    },
    sendRaw(text: string): void {
      socket.write(text, 'latin1');
    },
    async read(count: number, timeoutMs = 2_000): Promise<string[]> {
      const deadline = Date.now() + timeoutMs;
      while (lines.length < count) {
        if (Date.now() > deadline) throw new Error(`waited for ${count} lines, got ${JSON.stringify(lines)}`);
        await new Promise<void>((resolve) => {
          notify = resolve;
          setTimeout(resolve, 20);
        });
      }
      return lines.splice(0, count);
    },
    closed,
    isClosed: () => socket.destroyed || socket.readableEnded,
    destroy: () => socket.destroy(),
  };
}
