import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type Bus, createBus } from '@switchyard/bus';
import { RabbitMqTransport } from '@switchyard/rabbitmq';
import { postgresForTests, rabbitmqForTests, type TestVhost } from '@switchyard/testing';
import { exitCodes } from '../src/index.ts';
import { billingEndpoint, Charge } from './fixtures/slots-app.ts';
import { runYard } from './support/run-yard.ts';

const here = dirname(fileURLToPath(import.meta.url));
const appFile = join(here, 'fixtures', 'slots-app.ts');
const rabbitmq = await rabbitmqForTests();
const postgres = await postgresForTests();

/** The row of `slot` in the status table: its cells, trimmed. */
function statusRow(out: string, slot: string): string[] {
  const line = out.split('\n').find((each) => new RegExp(`^│ billing +│ ${slot} +│`).test(each));
  assert.ok(line, `no row for ${slot} in:\n${out}`);
  return line
    .split('│')
    .slice(1, -1)
    .map((cell) => cell.trim());
}

describe('yard slots on RabbitMQ', { skip: rabbitmq.skip }, () => {
  let vhost: TestVhost;
  let folder: string;
  let desiredFile: string;
  let dataDir: string;
  const buses: Bus[] = [];

  beforeEach(async () => {
    vhost = await rabbitmq.createVhost();
    folder = await mkdtemp(join(tmpdir(), 'yard-slots-'));
    desiredFile = join(folder, 'slots.yaml');
    dataDir = join(folder, 'pglite');
    await writeFile(
      desiredFile,
      'services:\n  billing:\n    live: blue\n    versions: { blue: 1.4.0, green: 1.5.0 }\n',
    );
  });

  afterEach(async () => {
    for (const bus of buses.splice(0)) await bus.stop().catch(() => {});
    await vhost?.delete();
    await rm(folder, { recursive: true, force: true });
  });

  const envFor = (overrides: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({
    PATH: process.env.PATH,
    RABBITMQ_URL: vhost.url,
    SWITCHYARD_SLOTS__DESIRED_STATE: desiredFile,
    SWITCHYARD_DATABASE__DATA_DIR: dataDir,
    ...overrides,
  });
  const yard = (...args: string[]) => runYard(['--app', appFile, ...args], { env: envFor(), cwd: here });

  /** A slot's processes: a bus running billing in `slot`, as `SWITCHYARD_SLOT=<slot> yard start` would. */
  async function runSlot(slot: string, onCharge?: (orderId: string) => void): Promise<Bus> {
    const bus = createBus({
      transport: new RabbitMqTransport({ url: vhost.url }),
      slot,
      endpoints: [billingEndpoint(onCharge)],
    });
    buses.push(bus);
    await bus.start();
    return bus;
  }

  /** Waits until the management API (which `yard slots` reads) shows `messages` ready in `queue`. */
  async function managementShows(queue: string, messages: number): Promise<void> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const found = (await vhost.readManagement(
        `/api/queues/${encodeURIComponent(vhost.name)}/${encodeURIComponent(queue)}`,
      )) as { messages_ready?: number };
      if (found.messages_ready === messages) return;
      assert.ok(Date.now() < deadline, `${queue} never showed ${messages} messages`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  /** Three charges sent while blue is live and none of its processes runs: they wait in billing@blue. */
  async function chargesWaitingInBlue(): Promise<void> {
    const shop = createBus({ transport: new RabbitMqTransport({ url: vhost.url }) });
    buses.push(shop);
    await shop.start();
    for (const orderId of ['o-1', 'o-2', 'o-3']) await shop.send('billing', Charge, { orderId });
    await managementShows('billing@blue', 3);
  }

  it('plans the routing without changing it, applies it, then has nothing to change; opens no database', async () => {
    const before = await yard('slots', 'plan');
    assert.equal(before.code, exitCodes.ok, before.err);
    assert.match(before.out, /^\+ billing: exchange billing@slots \(headers\)$/m);
    assert.match(before.out, /hands on unmatched messages to billing@blue/);
    const again = await yard('slots', 'plan');
    assert.equal(again.out, before.out, 'a plan changes nothing');
    const reconciled = await yard('slots', 'reconcile');
    assert.equal(reconciled.code, exitCodes.ok, reconciled.err);
    assert.match(reconciled.out, /Applied\.\n$/);
    const settled = await yard('slots', 'plan');
    assert.equal(settled.code, exitCodes.ok, settled.err);
    assert.equal(settled.out, 'No changes: the broker routes as the desired state says.\n');
    const json = await yard('--json', 'slots', 'plan');
    assert.deepEqual(JSON.parse(json.out).plan, { steps: [], conflicts: [] });
    assert.equal(existsSync(dataDir), false, 'no embedded database was created');
  });

  it('shows each slot before and after a switch, and the old slot drained once it holds nothing', async () => {
    assert.equal((await yard('slots', 'reconcile')).code, exitCodes.ok);
    await runSlot('blue');
    await runSlot('green');
    const before = await yard('slots', 'status');
    assert.equal(before.code, exitCodes.ok, before.err);
    assert.match(before.out, /^billing: live blue\n┌─/);
    assert.match(
      before.out,
      /│ service +│ slot +│ state +│ version +│ messages +│ unacked +│ consumers +│ open conversations +│ drained +│/,
    );
    const blue = statusRow(before.out, 'blue');
    // Consumers come from the management API's figures, which lag a new consumer by a few seconds.
    assert.match(blue[6] ?? '', /^[01]$/);
    assert.deepEqual(
      [...blue.slice(0, 6), ...blue.slice(7)],
      ['billing', 'blue', 'live', '1.4.0', '0', '0', '?', 'no'],
    );
    assert.deepEqual(
      [
        statusRow(before.out, 'green')[2],
        statusRow(before.out, 'green')[3],
        statusRow(before.out, 'green')[8],
      ],
      ['—', '1.5.0', 'yes'],
    );

    const switched = await yard('slots', 'switch', 'billing', '--to', 'green');
    assert.equal(switched.code, exitCodes.ok, switched.err);
    assert.match(switched.out, /│ billing +│ before +│ blue +│ — +│ — +│/);
    assert.match(switched.out, /│ billing +│ after +│ green +│ blue +│ — +│/);
    assert.match(
      switched.out,
      /~ billing: billing@canary hands on unmatched messages to billing@green \(was billing@blue\)/,
    );
    assert.match(
      switched.out,
      /\[Switchyard-Slot=green\]\nApplied\.\nbilling: slot blue is drained; its processes can stop\.\n$/,
    );
    assert.match(await readFile(desiredFile, 'utf8'), /live: green/);

    const after = await yard('slots', 'status');
    assert.match(after.out, /^billing: live green, previous blue\n/);
    assert.deepEqual([statusRow(after.out, 'green')[2], statusRow(after.out, 'green')[8]], ['live', 'no']);
    assert.deepEqual([statusRow(after.out, 'blue')[2], statusRow(after.out, 'blue')[8]], ['—', 'yes']);
    const json = JSON.parse((await yard('--json', 'slots', 'status')).out) as {
      service: string;
      live: string;
      slots: { slot: string; drained: boolean; openConversations?: number }[];
    }[];
    assert.equal(json[0]?.live, 'green');
    assert.deepEqual(
      json[0]?.slots.map((slot) => [slot.slot, slot.drained, slot.openConversations]),
      [
        ['blue', true, undefined],
        ['green', false, undefined],
      ],
    );
  });

  it('refuses a switch to a slot no process consumes, changes nothing, and exits 1', async () => {
    assert.equal((await yard('slots', 'reconcile')).code, exitCodes.ok);
    await runSlot('blue');
    const file = await readFile(desiredFile, 'utf8');
    const refused = await yard('slots', 'switch', 'billing', '--to', 'green');
    assert.equal(refused.code, exitCodes.failed);
    assert.equal(refused.out, '');
    assert.equal(
      refused.err,
      'Refusing to switch billing to green: no process consumes billing@green. Start billing in slot green (SWITCHYARD_SLOT=green) first; nothing was changed.\n',
    );
    assert.equal(await readFile(desiredFile, 'utf8'), file);
    const unknown = await yard('slots', 'switch', 'invoices', '--to', 'green');
    assert.equal(unknown.code, exitCodes.failed);
    assert.match(unknown.err, /"invoices" is not a service of this application \(services: billing\)/);
    const settled = await yard('slots', 'plan');
    assert.equal(settled.out, 'No changes: the broker routes as the desired state says.\n');
  });

  it('waits for the old slot to drain, with progress, and exits 0 once it has', async () => {
    assert.equal((await yard('slots', 'reconcile')).code, exitCodes.ok);
    await chargesWaitingInBlue();
    await runSlot('green');
    const handledInBlue: string[] = [];
    const switching = yard('slots', 'switch', 'billing', '--to', 'green', '--timeout', '60s');
    // Blue's processes come back while the switch waits, and finish what blue still holds.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    await runSlot('blue', (orderId) => handledInBlue.push(orderId));
    const switched = await switching;
    assert.equal(switched.code, exitCodes.ok, switched.err);
    assert.match(
      switched.err,
      /^draining billing@blue: 3 left of 3 \(3 message\(s\), 0 unacknowledged, \? open conversation\(s\)\)$/m,
    );
    assert.match(switched.err, /^draining billing@blue: 0 left of 3 /m);
    assert.match(switched.out, /billing: slot blue is drained; its processes can stop\./);
    assert.deepEqual(handledInBlue.sort(), ['o-1', 'o-2', 'o-3'], 'what began in blue finished in blue');
  });

  it('exits 4 with what is left when the old slot has not drained by the timeout; the switch stands', async () => {
    assert.equal((await yard('slots', 'reconcile')).code, exitCodes.ok);
    await chargesWaitingInBlue();
    await runSlot('green');
    const switched = await yard('slots', 'switch', 'billing', '--to', 'green', '--timeout', '2s');
    assert.equal(switched.code, exitCodes.notDrained, switched.err);
    assert.equal(
      switched.err.trim().split('\n').at(-1),
      "billing: slot blue is not drained after 2s: 3 message(s), 0 unacknowledged, ? open conversation(s) left. The switch stands (live: green); keep blue's processes running and watch `yard slots status`",
    );
    assert.match(await readFile(desiredFile, 'utf8'), /live: green/);
    const noWait = await yard('slots', 'rollback', 'billing', '--no-wait');
    assert.equal(noWait.code, exitCodes.failed, 'blue has no consumers: the rollback is refused');
    assert.match(noWait.err, /no process consumes billing@blue/);
  });

  it('rolls back to the slot live before the last switch, and refuses when there is none', async () => {
    assert.equal((await yard('slots', 'reconcile')).code, exitCodes.ok);
    const none = await yard('slots', 'rollback', 'billing');
    assert.equal(none.code, exitCodes.failed);
    assert.match(none.err, /billing has no previous slot to roll back to \(live: blue\)/);
    await runSlot('blue');
    await runSlot('green');
    assert.equal((await yard('slots', 'switch', 'billing', '--to', 'green', '--no-wait')).code, exitCodes.ok);
    const rolledBack = await yard('--json', 'slots', 'rollback', 'billing', '--timeout', '30s');
    assert.equal(rolledBack.code, exitCodes.ok, rolledBack.err);
    const result = JSON.parse(rolledBack.out) as {
      before: { live: string };
      after: { live: string; previous: string };
      drain: { slot: string; drained: boolean };
    };
    assert.deepEqual(
      [result.before.live, result.after.live, result.after.previous, result.drain.slot, result.drain.drained],
      ['green', 'blue', 'green', 'green', true],
    );
    const status = await yard('slots', 'status');
    assert.match(status.out, /^billing: live blue, previous green\n/);
  });

  it('sends a canary share to a running slot, shows it, and ends it with --percent 0', async () => {
    assert.equal((await yard('slots', 'reconcile')).code, exitCodes.ok);
    await runSlot('blue');
    await runSlot('green');
    const started = await yard('slots', 'canary', 'billing', '--slot', 'green', '--percent', '5');
    assert.equal(started.code, exitCodes.ok, started.err);
    assert.match(started.out, /│ billing +│ after +│ blue +│ — +│ green 5% +│/);
    assert.deepEqual(statusRow((await yard('slots', 'status')).out, 'green').slice(2, 3), ['canary 5%']);
    const ended = await yard('slots', 'canary', 'billing', '--slot', 'green', '--percent', '0');
    assert.equal(ended.code, exitCodes.ok, ended.err);
    assert.deepEqual(statusRow((await yard('slots', 'status')).out, 'green').slice(2, 3), ['—']);
    const one = await yard('slots', 'status', 'billing');
    assert.match(one.out, /^billing: live blue\n/);
    const unknown = await yard('slots', 'status', 'invoices');
    assert.equal(unknown.code, exitCodes.notFound);
    assert.match(unknown.err, /has no service "invoices" \(services: billing\)/);
    const bad = await yard('slots', 'canary', 'billing', '--slot', 'green', '--percent', '150');
    assert.equal(bad.code, exitCodes.usage);
    assert.match(bad.err, /--percent must be a whole number from 0 \(ends the canary\) to 99, got "150"/);
  });

  it('names the file, the path in it and the rule of a bad desired state, and exits 2', async () => {
    await writeFile(desiredFile, 'services:\n  billing:\n    live: purple\n');
    for (const args of [
      ['slots', 'plan'],
      ['slots', 'status'],
      ['slots', 'reconcile'],
    ]) {
      const run = await yard(...args);
      assert.equal(run.code, exitCodes.usage, `${args.join(' ')}: ${run.err}`);
      assert.equal(run.err.split('\n').length, 2, `one line: ${run.err}`);
      assert.ok(run.err.startsWith(`${desiredFile}: services.billing.live: `), run.err);
      assert.match(run.err, /purple/);
    }
    const exchanges = (await vhost.readManagement(`/api/exchanges/${encodeURIComponent(vhost.name)}`)) as {
      name: string;
    }[];
    assert.ok(!exchanges.some((exchange) => exchange.name.includes('@')), 'no routing was made');
  });

  it('says which setting is missing: the desired state, or RabbitMQ', async () => {
    const noState = await runYard(['--app', appFile, 'slots', 'status'], {
      env: envFor({ SWITCHYARD_SLOTS__DESIRED_STATE: undefined }),
      cwd: here,
    });
    assert.equal(noState.code, exitCodes.usage);
    assert.match(
      noState.err,
      /^yard slots status needs the desired state of the slots: set SWITCHYARD_SLOTS__DESIRED_STATE/,
    );
    const noBroker = await runYard(['--app', appFile, 'slots', 'plan'], {
      env: envFor({ RABBITMQ_URL: undefined }),
      cwd: here,
    });
    assert.equal(noBroker.code, exitCodes.usage);
    assert.match(noBroker.err, /^yard slots plan needs RabbitMQ, where the slots route: set RABBITMQ_URL/);
    const badTimeout = await yard('slots', 'switch', 'billing', '--to', 'green', '--timeout', 'soon');
    assert.equal(badTimeout.code, exitCodes.usage);
    assert.match(badTimeout.err, /--timeout must be a duration such as 30s, 5m or 1h, got "soon"/);
  });

  it('keeps the desired state in PostgreSQL when slots.desiredState is "postgres"', {
    skip: postgres.skip,
  }, async () => {
    const database = await postgres.createDatabase();
    // Were the file read, every command below would fail on it.
    await writeFile(desiredFile, 'services: [not, a, map]\n');
    try {
      const env = envFor({ SWITCHYARD_SLOTS__DESIRED_STATE: 'postgres', DATABASE_URL: database.url });
      const inPostgres = (...args: string[]) => runYard(['--app', appFile, ...args], { env, cwd: here });
      const empty = await inPostgres('slots', 'status');
      assert.equal(empty.code, exitCodes.ok, empty.err);
      assert.match(empty.out, /names no service yet/);
      await runSlot('blue');
      const first = await inPostgres('slots', 'switch', 'billing', '--to', 'blue');
      assert.equal(first.code, exitCodes.ok, first.err);
      const status = await inPostgres('slots', 'status');
      assert.match(status.out, /^billing: live blue\n/);
      assert.equal(existsSync(dataDir), false, 'no embedded database was created');
    } finally {
      await database.drop();
    }
  });

  it('keeps redrawing the status, and reconciling, until stopped', async () => {
    assert.equal((await yard('slots', 'reconcile')).code, exitCodes.ok);
    const stop = new AbortController();
    const watching = runYard(['--app', appFile, 'slots', 'status', '--watch'], {
      env: envFor(),
      cwd: here,
      signal: stop.signal,
    });
    const reconciling = runYard(['--app', appFile, 'slots', 'reconcile', '--watch'], {
      env: envFor({ SWITCHYARD_SLOTS__INTERVAL_MS: '200' }),
      cwd: here,
      signal: stop.signal,
    });
    await new Promise((resolve) => setTimeout(resolve, 4_500));
    stop.abort();
    const [status, reconcile] = await Promise.all([watching, reconciling]);
    assert.equal(status.code, exitCodes.ok, status.err);
    assert.ok((status.out.match(/^billing: live blue$/gm) ?? []).length >= 2, `redrawn:\n${status.out}`);
    assert.equal(reconcile.code, exitCodes.ok, reconcile.err);
    assert.equal(
      reconcile.out,
      'No changes: the broker routes as the desired state says.\nStopped.\n',
      'a settled broker prints one pass, then nothing until stopped',
    );
  });
});
