import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { postgresForTests, rabbitmqForTests } from '@switchyard/testing';
import pino from 'pino';
import { createHost, type Host, hostConfigSchema } from '../src/index.ts';
import { notesModule } from './support/notes-module.ts';

const postgres = await postgresForTests();
const rabbitmq = await rabbitmqForTests();

/** The two ways the host runs: embedded (PGlite and the PostgreSQL transport) and on servers. */
const modes = [
  {
    name: 'embedded PGlite',
    skip: false as const,
    config: async () => ({ database: { dataDir: 'memory' } }),
    cleanup: async () => {},
  },
  (() => {
    let cleanup = async () => {};
    return {
      name: 'PostgreSQL + RabbitMQ',
      skip: postgres.skip || rabbitmq.skip,
      config: async () => {
        // A database of its own: the host makes its schemas (switchyard, one per module) in it.
        const database = await postgres.createDatabase();
        const vhost = await rabbitmq.createVhost();
        cleanup = async () => {
          await vhost.delete();
          await database.drop();
        };
        return { database: { url: database.url }, transport: { url: vhost.url } };
      },
      cleanup: () => cleanup(),
    };
  })(),
];

for (const mode of modes) {
  describe(`a host running a module (${mode.name})`, { skip: mode.skip }, () => {
    let host: Host;
    let url: string;

    before(async () => {
      const config = hostConfigSchema.parse({ http: { port: 0 }, ...(await mode.config()) });
      host = createHost({
        config,
        modules: [notesModule()],
        logger: pino({ enabled: false }),
        title: 'Notes',
      });
      url = await host.start();
    });

    after(async () => {
      await host.stop();
      await mode.cleanup();
    });

    it('is ready once the database and the transport answer', async () => {
      const response = await fetch(`${url}/health/ready`);
      assert.equal(response.status, 200);
      const body = (await response.json()) as { checks: { name: string; ok: boolean }[] };
      assert.deepEqual(
        body.checks.map((each) => [each.name, each.ok]),
        [
          ['database', true],
          ['transport', true],
        ],
      );
    });

    it('takes a request through its route, the bus and a transactional consumer into the module schema', async () => {
      const accepted = await fetch(`${url}/notes`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ id: 'n-1', text: 'two pints on Tuesday' }),
      });
      assert.equal(accepted.status, 202);
      let note: Response | undefined;
      for (let attempt = 0; attempt < 100; attempt += 1) {
        note = await fetch(`${url}/notes/n-1`);
        if (note.status === 200) break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      assert.equal(note?.status, 200);
      assert.deepEqual(await note?.json(), { id: 'n-1', text: 'two pints on Tuesday' });
    });

    it('carries the trace of an HTTP request into the messages it causes', async () => {
      const traceId = '0af7651916cd43dd8448eb211c80319c';
      const accepted = await fetch(`${url}/notes`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', traceparent: `00-${traceId}-b7ad6b7169203331-01` },
        body: JSON.stringify({ id: 'n-traced', text: 'traced' }),
      });
      assert.equal(accepted.status, 202);
      let note: { traceParent?: string } | undefined;
      for (let attempt = 0; attempt < 100 && !note; attempt += 1) {
        const response = await fetch(`${url}/notes/n-traced`);
        if (response.status === 200) note = (await response.json()) as { traceParent?: string };
        else await new Promise((resolve) => setTimeout(resolve, 50));
      }
      assert.match(note?.traceParent ?? '', new RegExp(`^00-${traceId}-[0-9a-f]{16}-[0-9a-f]{2}$`));
    });

    it('seeds demo data, and answers an unknown note and a bad request with problem+json', async () => {
      assert.equal((await fetch(`${url}/notes/welcome`)).status, 200);
      const missing = await fetch(`${url}/notes/nope`);
      assert.equal(missing.status, 404);
      assert.match(missing.headers.get('content-type') ?? '', /problem\+json/);
      const bad = await fetch(`${url}/notes`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ id: '', text: 'x' }),
      });
      assert.equal(bad.status, 400);
      assert.match(((await bad.json()) as { detail: string }).detail, /body\.id/);
    });

    it('documents the module routes in the OpenAPI document', async () => {
      const document = (await (await fetch(`${url}/openapi.json`)).json()) as {
        paths: Record<string, unknown>;
      };
      assert.ok(
        document.paths['/notes'] && document.paths['/notes/{id}'],
        Object.keys(document.paths).join(', '),
      );
    });
  });
}

describe('a host with bus.handlerTimeoutMs and bus.retry set (embedded PGlite)', () => {
  it('gives them to the bus: a consumer slower than that is aborted, retried and redelivered as configured, and its message ends in the error queue', async () => {
    const messages: string[] = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        for (const line of String(chunk).split('\n').filter(Boolean)) messages.push(JSON.parse(line).msg);
        done();
      },
    });
    const config = hostConfigSchema.parse({
      http: { port: 0 },
      database: { dataDir: 'memory' },
      seed: { demoData: false },
      bus: { handlerTimeoutMs: 50, retry: { immediateIntervalsMs: [10], redeliveryIntervalsMs: [20] } },
    });
    // The consumer takes 300 ms before it writes: past the timeout, its write is refused and retried.
    const host = createHost({ config, modules: [notesModule({ handleDelayMs: 300 })], logger: pino(sink) });
    const url = await host.start();
    try {
      const accepted = await fetch(`${url}/notes`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ id: 'n-slow', text: 'too slow' }),
      });
      assert.equal(accepted.status, 202);
      const movedForTimeout =
        /^Message moved to notes_error: Consumer ".+" on endpoint "notes" timed out: still running after 50ms/;
      for (
        let waited = 0;
        waited < 10_000 && !messages.some((msg) => movedForTimeout.test(msg));
        waited += 50
      ) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      assert.ok(
        messages.some((msg) => movedForTimeout.test(msg)),
        messages.join('\n'),
      );
      assert.equal((await fetch(`${url}/notes/n-slow`)).status, 404, 'no attempt committed the note');
      assert.equal(
        messages.filter((msg) => msg === 'Message scheduled for redelivery').length,
        1,
        'one redelivery, as bus.retry.redeliveryIntervalsMs says',
      );
      assert.equal(
        messages.filter((msg) => /failed on attempt/.test(msg)).length,
        4,
        'two attempts (one immediate retry) in each of the two deliveries',
      );
    } finally {
      await host.stop();
    }
  });
});
