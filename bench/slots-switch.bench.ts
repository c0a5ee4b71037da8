/**
 * Blue/green switch under load (issue 20): how soon a switch takes effect, and what it does to
 * send → handle latency, at a fixed rate, next to raw amqplib in the same run.
 *
 * In a fresh vhost: two consumer processes of one service, `blue` and `green` (bench/slots/
 * slot-consumer.ts: a Switchyard bus with `createBus({ slot })`, prefetch and concurrency 100), a
 * desired state in a YAML file, a `SlotReconciler` looping at its default interval (2 s) in this
 * process, and a Switchyard bus here sending persistent 1 KB messages with confirms to the service's
 * endpoint at `rate` msg/s, each carrying its sequence number and send time. After `warmup` unmeasured
 * seconds and `steady` seconds of steady state, `SlotOperations.switchTo` (on the same reconciler)
 * switches blue → green and back `switches` times, one every `interval` ms; then `tail` seconds more.
 *
 * - Switch effect: for each switch, the cut-over is the first message sent after the call from which
 *   on every message (until the next switch) was handled in the new slot; reported is the time from
 *   the call (headline), from the desired-state write, and from the reconciler's policy PUT (sent,
 *   answered) to that message's handling in the new slot. Also: messages sent after the call, before
 *   the cut, that reached the new slot (a cut that is not clean), and policy writes that named the
 *   old slot after a switch (a stale pass undoing it).
 * - Latency: send → handle of the measured messages sent within 1 s of a switch's call against those
 *   sent more than 1 s from every switch (its call to its return), same run.
 * - Baseline, first: raw amqplib sending at the same rate, with confirms, to a plain queue consumed by
 *   a raw amqplib process (prefetch 100): one unmeasured second, then `raw` seconds.
 * Times come from the system's monotonic clock, the same in every process. Also counted: messages
 * never handled and messages handled twice (both must be 0).
 *
 *   RABBITMQ_URL=amqp://guest:guest@127.0.0.1:5672 npx node bench/slots-switch.bench.ts [rate=1000] [switches=20] [interval=2500] [steady=10] [raw=10]
 *   npm run bench -- --slots [the same arguments]
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createBus } from '@switchyard/bus';
import { RabbitMqTransport } from '@switchyard/rabbitmq';
import {
  type DesiredStateSource,
  FileDesiredState,
  routingNames,
  type ServiceCatalogue,
  SlotOperations,
  SlotReconciler,
} from '@switchyard/slots';
import { rabbitmqForTests } from '@switchyard/testing';
import amqp from 'amqplib';
import { latencyPayload } from './rabbitmq-latency.bench.ts';
import { startConsumer } from './slots/consumer-processes.ts';
import { monotonicMs } from './slots/monotonic-clock.ts';
import { PolicyTimingManagementClient } from './slots/policy-writes.ts';
import { SlotPing } from './slots/slot-consumer.ts';
import {
  type MessageRecords,
  p50p99,
  type SwitchTimes,
  splitLatencies,
  switchEffects,
} from './slots/switch-analysis.ts';
import { withCleanup } from './support/cleanup.ts';
import { atFixedRate } from './support/measure.ts';

const rate = Number(process.argv[2] ?? 1_000);
const switchCount = Number(process.argv[3] ?? 20);
const intervalMs = Number(process.argv[4] ?? 2_500);
const steadySeconds = Number(process.argv[5] ?? 10);
const rawSeconds = Number(process.argv[6] ?? 10);
const warmupSeconds = 2;
const tailSeconds = 3;
const marginMs = 1_000;
const endpoint = 'bench-slots';
const slots = ['blue', 'green'] as const;
const catalogue: ServiceCatalogue = { services: { bench: [{ name: endpoint, queueType: 'classic' }] } };

/** Waits until `done` holds, polling; gives up after `timeoutMs` of no progress in `progress()`. */
async function settle(done: () => boolean, progress: () => number, timeoutMs = 30_000): Promise<void> {
  let last = progress();
  let lastChange = performance.now();
  while (!done()) {
    await sleep(100);
    if (progress() !== last) {
      last = progress();
      lastChange = performance.now();
    } else if (performance.now() - lastChange > timeoutMs) return;
  }
}

/** Raw amqplib: confirm channel → plain queue → raw consumer process. Answers the measured latencies. */
async function rawBaseline(url: string): Promise<number[]> {
  const queue = `${endpoint}-raw`;
  const total = rate * (1 + rawSeconds);
  const sentAt = new Float64Array(total);
  const handledAt = new Float64Array(total).fill(Number.NaN);
  let handled = 0;
  const connection = await amqp.connect(url);
  try {
    const publisher = await connection.createConfirmChannel();
    await publisher.assertQueue(queue, { durable: true });
    const consumer = await startConsumer({
      url,
      endpoint: queue,
      onHandled: (seq, at) => {
        if (Number.isNaN(handledAt[seq] ?? 0)) handled += 1;
        handledAt[seq] = at;
      },
    });
    let seq = 0;
    await atFixedRate(rate, total, () => {
      const own = seq++;
      sentAt[own] = monotonicMs();
      return new Promise<void>((resolve, reject) =>
        publisher.sendToQueue(
          queue,
          Buffer.from(JSON.stringify({ seq: own, sentAt: sentAt[own], payload: latencyPayload })),
          { persistent: true },
          (error) => (error ? reject(error) : resolve()),
        ),
      );
    });
    await settle(
      () => handled === total,
      () => handled,
    );
    await consumer.stop();
  } finally {
    await connection.close().catch(() => {});
  }
  const latencies: number[] = [];
  for (let seq = rate; seq < total; seq++) {
    const latency = (handledAt[seq] ?? Number.NaN) - (sentAt[seq] ?? 0);
    if (!Number.isNaN(latency)) latencies.push(latency);
  }
  return latencies;
}

interface SlottedRun {
  readonly records: MessageRecords;
  readonly switches: SwitchTimes[];
  readonly reverts: number;
  readonly missing: number;
}

/** The slotted service under a fixed rate with `switchCount` switches. */
async function slotted(url: string): Promise<SlottedRun> {
  const directory = await mkdtemp(join(tmpdir(), 'bench-slots-'));
  const path = join(directory, 'slots.yaml');
  await writeFile(path, 'services:\n  bench:\n    live: blue\n');
  const total = Math.round(
    rate * (warmupSeconds + steadySeconds + tailSeconds + (switchCount * intervalMs) / 1000),
  );
  const sentAt = new Float64Array(total);
  const handledAt = new Float64Array(total).fill(Number.NaN);
  const slotOf = new Int8Array(total).fill(-1);
  let handled = 0;
  let duplicates = 0;
  const management = (() => {
    const parsed = new URL(url);
    const base = new URL(`http://${parsed.hostname}:15672`);
    base.username = parsed.username || 'guest';
    base.password = parsed.password || 'guest';
    return new PolicyTimingManagementClient(base.toString(), decodeURIComponent(parsed.pathname.slice(1)));
  })();
  const file = new FileDesiredState(path, { catalogue });
  let desiredWrittenAt = Number.NaN;
  const desiredState: DesiredStateSource = {
    description: file.description,
    read: () => file.read(),
    update: async (service, change) => {
      const written = await file.update(service, change);
      desiredWrittenAt = monotonicMs();
      return written;
    },
  };
  const consumers = await Promise.all(
    slots.map((slot, index) =>
      startConsumer({
        url,
        endpoint,
        slot,
        onHandled: (seq, at) => {
          if (slotOf[seq] !== -1) {
            duplicates += 1;
            return;
          }
          handled += 1;
          handledAt[seq] = at;
          slotOf[seq] = index;
        },
      }),
    ),
  );
  const reconciler = new SlotReconciler({ url, management, desiredState, catalogue });
  const operations = new SlotOperations({ url, management, desiredState, catalogue, reconciler });
  const producer = createBus({ transport: new RabbitMqTransport({ url }) });
  const switches: SwitchTimes[] = [];
  try {
    await reconciler.reconcileOnce();
    reconciler.start();
    await producer.start();
    let seq = 0;
    const started = performance.now();
    const sending = atFixedRate(rate, total, () => {
      const own = seq++;
      sentAt[own] = monotonicMs();
      return producer.send(endpoint, SlotPing, {
        seq: own,
        sentAt: sentAt[own] ?? 0,
        payload: latencyPayload,
      });
    });
    const switching = (async () => {
      for (let index = 0; index < switchCount; index++) {
        const due = started + (warmupSeconds + steadySeconds) * 1_000 + index * intervalMs;
        await sleep(Math.max(0, due - performance.now()));
        const from = index % 2;
        const to = 1 - from;
        const writesBefore = management.writes.length;
        const calledAt = monotonicMs();
        await operations.switchTo('bench', slots[to] ?? 'green');
        const doneAt = monotonicMs();
        const policy = management.writes
          .slice(writesBefore)
          .find((write) => write.alternateExchange === routingNames.slot(endpoint, slots[to] ?? ''));
        switches.push({
          from,
          to,
          calledAt,
          desiredWrittenAt,
          policySentAt: policy?.sentAt ?? Number.NaN,
          policyAnsweredAt: policy?.answeredAt ?? Number.NaN,
          doneAt,
        });
      }
    })();
    await Promise.all([sending, switching]);
    await settle(
      () => handled === total,
      () => handled,
    );
  } finally {
    await reconciler.stop();
    await producer.stop();
    for (const consumer of consumers) await consumer.stop();
    await rm(directory, { recursive: true, force: true });
  }
  // A policy write naming the slot a switch left, after that switch's own write: a pass undoing it.
  const canary = routingNames.canary(endpoint);
  let reverts = 0;
  for (const [index, each] of switches.entries()) {
    const until = switches[index + 1]?.calledAt ?? Number.POSITIVE_INFINITY;
    reverts += management.writes.filter(
      (write) =>
        write.exchange === canary &&
        write.alternateExchange === routingNames.slot(endpoint, slots[each.from] ?? '') &&
        write.sentAt > each.calledAt &&
        write.sentAt < until,
    ).length;
  }
  return {
    records: {
      sentAt,
      handledAt,
      slot: slotOf,
      duplicates,
      firstMeasured: rate * warmupSeconds,
    },
    switches,
    reverts,
    missing: total - handled,
  };
}

const rabbitmq = await rabbitmqForTests();
if (rabbitmq.skip) throw new Error(rabbitmq.skip);
const vhost = await rabbitmq.createVhost();
const { rawLatencies, run } = await withCleanup(
  async () => ({ rawLatencies: await rawBaseline(vhost.url), run: await slotted(vhost.url) }),
  () => vhost.delete(),
);

// For looking into a run: every message's times and slot, and the switches, as JSON.
if (process.env.SLOTS_BENCH_DUMP) {
  await writeFile(
    process.env.SLOTS_BENCH_DUMP,
    JSON.stringify({
      sentAt: [...run.records.sentAt],
      handledAt: [...run.records.handledAt],
      slot: [...run.records.slot],
      switches: run.switches,
      raw: rawLatencies,
    }),
  );
}
const effects = switchEffects(run.records, run.switches);
const { steady, nearSwitch } = splitLatencies(run.records, run.switches, marginMs);
const raw = p50p99(rawLatencies);
const yardSteady = p50p99(steady);
const yardNear = p50p99(nearSwitch);
const of = (key: keyof (typeof effects)[number]) => p50p99(effects.map((effect) => effect[key]));
const ms = (value: number) => value.toFixed(2).padStart(10);
const ratio = (a: number, b: number) => (a / b).toFixed(2).padStart(10);
const latencyRow = (name: string, figures: { p50: number; p99: number }, count: number) =>
  `${name.padEnd(40)}${ms(figures.p50)}${ms(figures.p99)}${String(count).padStart(10)}\n`;
const effectRow = (name: string, key: keyof (typeof effects)[number]) =>
  `${name.padEnd(40)}${ms(of(key).p50)}${ms(of(key).p99)}\n`;
const sum = (key: 'oldAfterCall' | 'mixed') => effects.reduce((total, effect) => total + effect[key], 0);
process.stdout.write(
  `Slots: ${switchCount} switches blue ↔ green every ${intervalMs} ms at ${rate} msg/s, persistent 1 KB ` +
    `messages with confirms; consumers in their own processes (prefetch 100)\n\n` +
    `send → handle latency (ms)${''.padEnd(14)}${'p50'.padStart(10)}${'p99'.padStart(10)}${'messages'.padStart(10)}\n` +
    latencyRow('raw amqplib, plain queue', raw, rawLatencies.length) +
    latencyRow('Switchyard slots, steady state', yardSteady, steady.length) +
    latencyRow(`Switchyard slots, within ${marginMs / 1000} s of a switch`, yardNear, nearSwitch.length) +
    `${'ratio steady / raw'.padEnd(40)}${ratio(yardSteady.p50, raw.p50)}${ratio(yardSteady.p99, raw.p99)}\n` +
    `${'ratio switch / steady (goal p99 ≤ 2)'.padEnd(40)}${ratio(yardNear.p50, yardSteady.p50)}${ratio(yardNear.p99, yardSteady.p99)}\n\n` +
    `switch → first message of the cut-over handled in the new slot (ms; ${effects.length} switches)\n` +
    `${''.padEnd(40)}${'p50'.padStart(10)}${'p99'.padStart(10)}\n` +
    effectRow('from the switchTo call (goal < 1000)', 'fromCall') +
    effectRow('from the desired-state write', 'fromDesiredWrite') +
    effectRow('from the policy PUT sent', 'fromPolicySent') +
    effectRow('from the policy PUT answered', 'fromPolicyAnswered') +
    effectRow('cut-over message sent after the call', 'cutSentAfterCall') +
    effectRow('switchTo duration', 'callDuration') +
    `\nsent after a call, handled in the old slot: ${sum('oldAfterCall')}; before the cut in the new slot ` +
    `(not clean): ${sum('mixed')}; policy writes undoing a switch: ${run.reverts}\n` +
    `never handled: ${run.missing}; handled twice: ${run.records.duplicates}; ` +
    `RSS ${(process.memoryUsage().rss / 1024 / 1024).toFixed(0)} MiB\n`,
);
