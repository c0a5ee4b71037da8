import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, it } from 'node:test';
import { CoreConnectionLostError, CoreUnavailableError, LegacyCoreClient, readLedger } from '../src/index.ts';
import { aPosting } from './support/core-fixture.ts';

const main = new URL('../src/main.ts', import.meta.url).pathname;

/** Runs the core as its own process and waits for the JSON line that names its port. */
async function startCoreProcess(journalPath: string): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(
    process.execPath,
    [
      main,
      '--port',
      '0',
      '--journal',
      journalPath,
      '--latency-median-ms',
      '1',
      '--business-date',
      '20261207',
    ],
    { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, LOG_LEVEL: 'warn' } },
  );
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  for await (const line of lines) {
    const event = JSON.parse(line) as { event?: string; port?: number };
    if (event.event === 'listening' && event.port) return { child, port: event.port };
  }
  throw new Error('the core process ended before it was listening');
}

async function killHard(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

describe('legacy core process restarts', () => {
  it('keeps every answered posting through kill -9 and continues the daily sequence', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'legacy-core-restart-'));
    const journalPath = join(folder, 'journal.dat');
    try {
      const first = await startCoreProcess(journalPath);
      const client = new LegacyCoreClient({ port: first.port, maxSessions: 4 });
      for (let index = 0; index < 5; index++) await client.post(aPosting(`KEEP-${index}`));

      // Kill it while 40 more are in flight: whatever was answered booked must be on disk.
      const inFlight = Array.from({ length: 40 }, (_, index) =>
        client.post(aPosting(`FLIGHT-${index}`), { timeoutMs: 3_000 }).then(
          (result) => result.outcome,
          (error: unknown) => {
            if (error instanceof CoreConnectionLostError || error instanceof CoreUnavailableError)
              return error.code;
            throw error;
          },
        ),
      );
      await new Promise((resolve) => setTimeout(resolve, 15));
      await killHard(first.child);
      const outcomes = await Promise.all(inFlight);
      await client.close();
      const answeredBooked = outcomes.flatMap((outcome, index) =>
        outcome === 'booked' ? [`FLIGHT-${index}`] : [],
      );

      const second = await startCoreProcess(journalPath);
      const after = new LegacyCoreClient({ port: second.port });
      const audit = await after.audit();
      const references = new Set(audit.postings.map((posting) => posting.clientReference));
      for (let index = 0; index < 5; index++) assert.ok(references.has(`KEEP-${index}`));
      for (const reference of answeredBooked) assert.ok(references.has(reference), `${reference} survived`);
      assert.equal(audit.balanced, true);
      assert.deepEqual(
        audit.postings.map((posting) => posting.sequence),
        Array.from({ length: audit.postings.length }, (_, index) => index + 1),
      );
      const next = await after.post(aPosting('AFTER-RESTART'));
      assert.deepEqual(next, {
        outcome: 'booked',
        sequence: audit.postings.length + 1,
        businessDate: '2026-12-07',
      });
      await after.close();
      await killHard(second.child);
      assert.equal(readLedger(journalPath).postings.length, audit.postings.length + 1);
      console.error(
        `# restart: ${audit.postings.length} postings survived kill -9, ${answeredBooked.length} of 40 in flight answered booked`,
      );
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });

  it('refuses to start with a bad config, naming the path and rule', async () => {
    const child = spawn(process.execPath, [main, '--max-sessions', '0'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const code = await new Promise((resolve) => child.once('exit', resolve));
    assert.equal(code, 2);
    assert.match(stderr, /legacy-core config: maxSessions \(from --max-sessions\): .*>=1/);
  });
});
