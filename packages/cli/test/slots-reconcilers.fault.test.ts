import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type Bus, createBus } from '@switchyard/bus';
import { RabbitMqTransport } from '@switchyard/rabbitmq';
import { rabbitmqForTests, type TestVhost } from '@switchyard/testing';
import amqp from 'amqplib';
import { billingEndpoint, Charge } from './fixtures/slots-app.ts';

const here = dirname(fileURLToPath(import.meta.url));
const yardBin = join(here, '..', 'src', 'bin', 'yard.ts');
const appFile = join(here, 'fixtures', 'slots-app.ts');
const rabbitmq = await rabbitmqForTests();

/** The slots' routing as one comparable text: bindings out of the slotted exchanges, and the policies. */
async function routing(vhost: TestVhost): Promise<string> {
  const path = encodeURIComponent(vhost.name);
  const bindings = (await vhost.readManagement(`/api/bindings/${path}`)) as {
    source: string;
    destination: string;
    arguments: Record<string, unknown>;
  }[];
  const policies = (await vhost.readManagement(`/api/policies/${path}`)) as {
    name: string;
    definition: unknown;
  }[];
  return JSON.stringify([
    bindings
      .filter((each) => each.source.startsWith('billing'))
      .map((each) => `${each.source}→${each.destination} ${JSON.stringify(each.arguments)}`)
      .sort(),
    policies.map((each) => `${each.name} ${JSON.stringify(each.definition)}`).sort(),
  ]);
}

describe('reconcilers as processes, one killed while it works', { skip: rabbitmq.skip }, () => {
  let vhost: TestVhost;
  let folder: string;
  let desiredFile: string;
  const reconcilers: ChildProcess[] = [];
  const buses: Bus[] = [];
  before(async () => {
    vhost = await rabbitmq.createVhost();
    folder = await mkdtemp(join(tmpdir(), 'yard-reconcilers-'));
    desiredFile = join(folder, 'slots.yaml');
    await writeFile(desiredFile, 'services:\n  billing:\n    live: blue\n');
  });
  after(async () => {
    for (const child of reconcilers) child.kill('SIGKILL');
    for (const bus of buses) await bus.stop().catch(() => {});
    await vhost?.delete();
    await rm(folder, { recursive: true, force: true });
  });

  const startReconciler = () => {
    const child = spawn(process.execPath, [yardBin, '--app', appFile, 'slots', 'reconcile', '--watch'], {
      env: {
        PATH: process.env.PATH,
        RABBITMQ_URL: vhost.url,
        SWITCHYARD_SLOTS__DESIRED_STATE: desiredFile,
        SWITCHYARD_SLOTS__INTERVAL_MS: '100',
        SWITCHYARD_DATABASE__DATA_DIR: join(folder, 'pglite'),
      },
      stdio: ['ignore', 'ignore', 'ignore'],
    });
    reconcilers.push(child);
    return child;
  };

  it('converge through switches and canaries while one is killed and replaced, with every message in one slot, and then hold still', {
    timeout: 180_000,
  }, async () => {
    const handled = new Map<string, string[]>();
    for (const slot of ['blue', 'green']) {
      const bus = createBus({
        transport: new RabbitMqTransport({ url: vhost.url }),
        slot,
        endpoints: [
          billingEndpoint((orderId) => handled.set(orderId, [...(handled.get(orderId) ?? []), slot])),
        ],
      });
      buses.push(bus);
      await bus.start();
    }
    const shop = createBus({ transport: new RabbitMqTransport({ url: vhost.url }) });
    buses.push(shop);
    await shop.start();
    let victim = startReconciler();
    startReconciler();
    let sent = 0;
    let sending = true;
    const sender = (async () => {
      while (sending) {
        try {
          await shop.send('billing', Charge, { orderId: `o-${sent}` });
          sent += 1;
        } catch {
          // Before the first reconcile there is no route: the send fails and the caller sends again.
        }
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    })();
    const states = [
      'services:\n  billing:\n    live: green\n    previous: blue\n',
      'services:\n  billing:\n    live: green\n    previous: blue\n    canary: { slot: blue, percent: 30 }\n',
      'services:\n  billing:\n    live: blue\n    previous: green\n',
      'services:\n  billing:\n    live: blue\n    previous: green\n    canary: { slot: green, percent: 10 }\n',
      'services:\n  billing:\n    live: green\n    previous: blue\n',
    ];
    for (const [index, state] of states.entries()) {
      await writeFile(desiredFile, state);
      // Killed a moment into the pass the new state starts: somewhere in its plan, or between passes.
      await new Promise((resolve) => setTimeout(resolve, 30 + index * 40));
      victim.kill('SIGKILL');
      await once(victim, 'exit');
      victim = startReconciler();
      await new Promise((resolve) => setTimeout(resolve, 800));
    }
    sending = false;
    await sender;
    let previous = '';
    let stableFor = 0;
    const deadline = Date.now() + 30_000;
    while (stableFor < 20 && Date.now() < deadline) {
      const now = await routing(vhost);
      stableFor = now === previous ? stableFor + 1 : 0;
      previous = now;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.equal(stableFor, 20, `the routing held still over 20 looks:\n${previous}`);
    assert.match(
      previous,
      /billing@canary.*alternate-exchange.*billing@green/,
      'converged to the last state: green live',
    );
    assert.doesNotMatch(previous, /Switchyard-Bucket/, 'and no canary');
    // Every confirmed send reached one slot, once.
    const deadlineHandled = Date.now() + 30_000;
    while (handled.size < sent && Date.now() < deadlineHandled)
      await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(handled.size, sent, 'none lost');
    assert.deepEqual(
      [...handled.values()].filter((slots) => slots.length > 1),
      [],
      'none handled twice',
    );
    const connection = await amqp.connect(vhost.url);
    try {
      const channel = await connection.createChannel();
      for (const queue of ['billing@blue', 'billing@green'])
        assert.equal((await channel.checkQueue(queue)).messageCount, 0);
    } finally {
      await connection.close();
    }
  });
});
