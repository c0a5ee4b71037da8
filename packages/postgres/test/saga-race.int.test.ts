import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { connectPostgres, migrate, PostgresSagaStore, switchyardMigrations } from '@switchyard/postgres';
import { postgresForTests } from '@switchyard/testing';

const postgres = await postgresForTests();
const racer = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'saga-increment.ts');
const stepsEach = 40;

/** A racing process, started and connected, waiting for `go`. */
interface Racer {
  readonly ready: Promise<void>;
  /** Starts its steps; resolves with the conflicts it met and retried. */
  go(): Promise<number>;
}

function startRacer(url: string, schema: string, sagaId: string): Racer {
  const child = spawn(process.execPath, [racer, url, schema, sagaId, String(stepsEach)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  let output = '';
  const ready = Promise.withResolvers<void>();
  const finished = new Promise<number>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('ready')) ready.resolve();
    });
    child.on('exit', (code) => {
      const conflicts = /conflicts (\d+)/.exec(output);
      const failure = new Error(`A racing process exited with ${code}: ${output}`);
      ready.reject(failure);
      if (code === 0 && conflicts) resolve(Number(conflicts[1]));
      else reject(failure);
    });
  });
  finished.catch(() => {}); // read through go(); a process that dies before that fails `ready`
  return {
    ready: ready.promise,
    go: () => {
      child.stdin.end('go\n');
      return finished;
    },
  };
}

describe('two processes racing for the same saga', { skip: postgres.skip }, () => {
  it('lets one win each step and the other retry, ending with every step applied once', {
    timeout: 120_000,
  }, async () => {
    const schema = await postgres.createSchema();
    const client = connectPostgres({ url: schema.url });
    try {
      await migrate(client, await switchyardMigrations(schema.name));
      const sagas = new PostgresSagaStore(client, { schema: schema.name });
      await client.transaction((tx) =>
        sagas.insert(tx, {
          sagaType: 'BottleCount',
          id: 'saga-1',
          state: 'Counting',
          data: { count: 0 },
          version: 1,
          keys: { round: 'round-7' },
        }),
      );

      // Both start their steps together, however long each took to start on a busy machine: a
      // process that finished before the other began would never collide with it.
      const racers = [
        startRacer(schema.url, schema.name, 'round-7'),
        startRacer(schema.url, schema.name, 'round-7'),
      ];
      await Promise.all(racers.map((each) => each.ready));
      const conflicts = await Promise.all(racers.map((each) => each.go()));

      const final = await client.transaction((tx) => sagas.load(tx, 'BottleCount', 'saga-1'));
      assert.deepEqual(final?.data, { count: 2 * stepsEach }, 'no step lost, none applied twice');
      assert.equal(final?.version, 1 + 2 * stepsEach);
      const timeline = await sagas.timeline('BottleCount', 'saga-1');
      assert.equal(timeline.length, 2 * stepsEach, 'one transition per step that committed');
      assert.ok(
        conflicts.reduce((sum, each) => sum + each, 0) > 0,
        'the processes did collide (each holds its transaction open between load and update)',
      );
    } finally {
      await client.close();
      await schema.drop();
    }
  });
});
