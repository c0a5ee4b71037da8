import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { postgresForTests, rabbitmqForTests } from '@switchyard/testing';
import pino from 'pino';
import { createHost, type Host, hostConfigSchema } from '../src/index.ts';
import { notesModule } from './support/notes-module.ts';

const postgres = await postgresForTests();
const rabbitmq = await rabbitmqForTests();

async function saveNote(url: string, id: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${url}/notes`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ id, text: 'milk' }),
  });
}

async function readNote(url: string, id: string): Promise<{ slot?: string }> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const response = await fetch(`${url}/notes/${id}`);
    if (response.status === 200) return (await response.json()) as { slot?: string };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`note ${id} never saved`);
}

describe('slot affinity from an HTTP request', () => {
  let host: Host;
  let url: string;
  before(async () => {
    const config = hostConfigSchema.parse({ http: { port: 0 }, database: { dataDir: 'memory' } });
    host = createHost({ config, modules: [notesModule()], logger: pino({ enabled: false }) });
    url = await host.start();
  });
  after(async () => {
    await host.stop();
  });

  it('binds the conversation a request starts to the slot its header or cookie names, and to none without', async () => {
    assert.equal((await saveNote(url, 'by-header', { 'x-switchyard-slot': 'green' })).status, 202);
    assert.equal(
      (await saveNote(url, 'by-cookie', { cookie: 'theme=dark; switchyard-slot=blue' })).status,
      202,
    );
    assert.equal((await saveNote(url, 'unbound')).status, 202);
    assert.equal((await readNote(url, 'by-header')).slot, 'green');
    assert.equal((await readNote(url, 'by-cookie')).slot, 'blue');
    assert.equal((await readNote(url, 'unbound')).slot, undefined);
  });

  it('refuses a malformed affinity with a problem naming where it came from, and sends nothing', async () => {
    const refused = await saveNote(url, 'refused', { 'x-switchyard-slot': 'Green Slot!' });
    assert.equal(refused.status, 400);
    assert.match(refused.headers.get('content-type') ?? '', /application\/problem\+json/);
    const problem = (await refused.json()) as { type: string; detail: string };
    assert.match(problem.type, /slot-affinity-invalid/);
    assert.match(problem.detail, /x-switchyard-slot header must name a slot/);
    assert.equal((await fetch(`${url}/notes/refused`)).status, 404);
  });
});

describe('a host in a slot that reconciles', { skip: postgres.skip || rabbitmq.skip }, () => {
  let host: Host;
  let url: string;
  let cleanup = async () => {};
  before(async () => {
    const database = await postgres.createDatabase();
    const vhost = await rabbitmq.createVhost();
    const directory = await mkdtemp(join(tmpdir(), 'host-slots-'));
    const desiredState = join(directory, 'slots.yaml');
    await writeFile(desiredState, 'services:\n  notes:\n    live: blue\n');
    cleanup = async () => {
      await vhost.delete();
      await database.drop();
      await rm(directory, { recursive: true, force: true });
    };
    const config = hostConfigSchema.parse({
      http: { port: 0 },
      database: { url: database.url },
      transport: { url: vhost.url },
      slot: 'blue',
      slots: { desiredState, reconcile: true },
    });
    host = createHost({ config, modules: [notesModule()], logger: pino({ enabled: false }) });
    url = await host.start();
  });
  after(async () => {
    await host?.stop();
    await cleanup();
  });

  it('consumes from its slot, through the routing it reconciled before its bus started', async () => {
    assert.equal((await saveNote(url, 'in-blue')).status, 202);
    assert.deepEqual(await readNote(url, 'in-blue'), { id: 'in-blue', text: 'milk' });
  });

  it('reports the live slot, drain state and drift per service on /metrics', async () => {
    const metrics = await (await fetch(`${url}/metrics`)).text();
    assert.match(metrics, /switchyard_slots_live\{[^}]*service="notes",slot="blue"[^}]*\} 1/);
    assert.match(metrics, /switchyard_slots_live\{[^}]*service="notes",slot="green"[^}]*\} 0/);
    assert.match(metrics, /switchyard_slots_drained\{[^}]*service="notes",slot="green"[^}]*\} 1/);
    assert.match(metrics, /switchyard_slots_drift_repaired(_total)?\{[^}]*service="notes"[^}]*\} 0/);
  });
});
