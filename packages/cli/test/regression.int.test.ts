import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { type Bus, createBus } from '@switchyard/bus';
import { connectPostgres } from '@switchyard/postgres';
import { RabbitMqTransport } from '@switchyard/rabbitmq';
import { captureQueueName } from '@switchyard/regression';
import { postgresForTests, rabbitmqForTests, type TestDatabase, type TestVhost } from '@switchyard/testing';
import amqp from 'amqplib';
import { exitCodes } from '../src/index.ts';
import { InvoiceIssued } from './fixtures/regression-suite.ts';
import { runYard } from './support/run-yard.ts';

const here = dirname(fileURLToPath(import.meta.url));
const appFile = join(here, 'fixtures', 'refunds-app.ts');
const suiteFile = join(here, 'fixtures', 'regression-suite.ts');
const postgres = await postgresForTests();
const rabbitmq = await rabbitmqForTests();

describe('yard regression on RabbitMQ and PostgreSQL', { skip: postgres.skip || rabbitmq.skip }, () => {
  let database: TestDatabase;
  let work: TestVhost;
  let baseline: TestVhost;
  let candidate: TestVhost;
  let secondBaseline: TestVhost;
  let folder: string;
  const buses: Bus[] = [];
  before(async () => {
    database = await postgres.createDatabase();
    [work, baseline, candidate, secondBaseline] = [
      await rabbitmq.createVhost(),
      await rabbitmq.createVhost(),
      await rabbitmq.createVhost(),
      await rabbitmq.createVhost(),
    ];
    folder = await mkdtemp(join(tmpdir(), 'yard-regression-'));
  });
  after(async () => {
    for (const bus of buses) await bus.stop().catch(() => {});
    for (const vhost of [work, baseline, candidate, secondBaseline]) await vhost?.delete();
    await database?.drop();
    await rm(folder, { recursive: true, force: true });
  });

  const env = (): NodeJS.ProcessEnv => ({
    PATH: process.env.PATH,
    DATABASE_URL: database.url,
    RABBITMQ_URL: work.url,
  });
  const yard = (args: readonly string[], signal?: AbortSignal) =>
    runYard(['--app', appFile, 'regression', ...args, '--suite', suiteFile], {
      env: env(),
      cwd: folder,
      ...(signal ? { signal } : {}),
    });
  const publisher = async (vhost: TestVhost) => {
    const bus = createBus({ transport: new RabbitMqTransport({ url: vhost.url }) });
    buses.push(bus);
    await bus.start();
    return bus;
  };
  /** Captures what `publish` sends in both environments into `run`, until both taps have stored `expected` messages. */
  const capture = async (
    run: string,
    publish: (sides: { baseline: Bus; candidate: Bus; secondBaseline: Bus }) => Promise<void>,
    expected: number,
  ) => {
    const stop = new AbortController();
    const taps = [
      yard(['capture', '--run', run, '--environment', 'baseline', '--from', baseline.url], stop.signal),
      yard(['capture', '--run', run, '--environment', 'candidate', '--from', candidate.url], stop.signal),
      yard(
        ['capture', '--run', run, '--environment', 'baseline-2', '--from', secondBaseline.url],
        stop.signal,
      ),
    ];
    const sql = connectPostgres({ url: database.url, maxConnections: 1 });
    try {
      // The taps declare their queues at start: wait for them before anything is published.
      await waitFor(
        async () =>
          (await queueExists(baseline, captureQueueName(run, 'baseline'))) &&
          (await queueExists(candidate, captureQueueName(run, 'candidate'))) &&
          (await queueExists(secondBaseline, captureQueueName(run, 'baseline-2'))),
        20_000,
      );
      await publish({
        baseline: await publisher(baseline),
        candidate: await publisher(candidate),
        secondBaseline: await publisher(secondBaseline),
      });
      await waitFor(async () => (await capturedCount(sql, run)) >= expected, 30_000);
    } finally {
      stop.abort();
      await sql.close();
    }
    const results = await Promise.all(taps);
    for (const result of results) assert.equal(result.code, exitCodes.ok, result.err);
    return results;
  };

  it('captures two environments, compares the run in batch and reports the differences with exit code 5', {
    timeout: 120_000,
  }, async () => {
    const taps = await capture(
      'batch-1',
      async (sides) => {
        for (let order = 1; order <= 20; order += 1) {
          const invoice = {
            orderId: `o-${order}`,
            amountMinor: order * 100,
            issuedAt: new Date().toISOString(),
          };
          await sides.baseline.publish(InvoiceIssued, invoice);
          // Orders 5 and 15 are invoiced 1 more by the candidate.
          await sides.candidate.publish(InvoiceIssued, {
            ...invoice,
            amountMinor: invoice.amountMinor + (order % 10 === 5 ? 1 : 0),
          });
        }
      },
      40,
    );
    assert.match(taps[0]?.out ?? '', /Capturing 1 message type of baseline into run batch-1/);

    const junit = join(folder, 'batch-1.xml');
    const ran = await yard(['run', '--run', 'batch-1', '--junit', junit]);
    assert.equal(ran.code, exitCodes.differences, `${ran.out}\n${ran.err}`);
    assert.match(ran.out, /20 groups, 20 compared/);
    assert.match(ran.out, /invoice amounts: match 18, mismatch 2/);
    assert.match(ran.out, /2 groups differ at amountMinor e.g. (o-5: 500 → 501|o-15: 1500 → 1501)/);
    const xml = await readFile(junit, 'utf8');
    // A test case per reconciler, a failure per mismatched group.
    assert.match(xml, /<testcase classname="batch-1" name="invoice amounts" assertions="20">/);
    assert.equal(xml.match(/<failure type="mismatch"/g)?.length, 2);

    const html = join(folder, 'batch-1.html');
    const report = await yard(['report', '--run', 'batch-1', '--format', 'html', '--out', html]);
    assert.equal(report.code, exitCodes.differences, report.err);
    assert.match(await readFile(html, 'utf8'), /^<!doctype html>/i);
    const json = await yard(['report', '--run', 'batch-1', '--format', 'json']);
    assert.equal((JSON.parse(json.out) as { summary: { compared: number } }).summary.compared, 20);
    const missing = await yard(['report', '--run', 'no-such-run']);
    assert.equal(missing.code, exitCodes.notFound);
    const badFormat = await yard(['report', '--run', 'batch-1', '--format', 'pdf']);
    assert.equal(badFormat.code, exitCodes.usage);
    assert.match(badFormat.err, /--format must be one of terminal, json, junit, html, not "pdf"/);
  });

  it('compares with two worker threads and exits 0 when nothing differs', { timeout: 120_000 }, async () => {
    await capture(
      'threads-1',
      async (sides) => {
        for (let order = 1; order <= 60; order += 1) {
          const invoice = { orderId: `o-${order}`, amountMinor: order, issuedAt: new Date().toISOString() };
          await sides.baseline.publish(InvoiceIssued, invoice);
          await sides.candidate.publish(InvoiceIssued, invoice);
        }
      },
      120,
    );
    const ran = await yard(['run', '--run', 'threads-1', '--workers', '2']);
    assert.equal(ran.code, exitCodes.ok, `${ran.out}\n${ran.err}`);
    assert.match(ran.out, /60 groups, 60 compared/);
    assert.match(ran.out, /2 comparison threads started/);
  });

  it('runs live until stopped, with the running mismatch rate, while captures go on', {
    timeout: 120_000,
  }, async () => {
    const stop = new AbortController();
    const live = yard(['run', '--run', 'live-1', '--live'], stop.signal);
    await capture(
      'live-1',
      async (sides) => {
        for (let order = 1; order <= 10; order += 1) {
          const invoice = { orderId: `o-${order}`, amountMinor: order, issuedAt: new Date().toISOString() };
          await sides.baseline.publish(InvoiceIssued, invoice);
          await sides.candidate.publish(InvoiceIssued, { ...invoice, amountMinor: order === 3 ? 0 : order });
        }
      },
      20,
    );
    const sql = connectPostgres({ url: database.url, maxConnections: 1 });
    try {
      await waitFor(async () => (await resultCount(sql, 'live-1')) >= 10, 30_000);
    } finally {
      await sql.close();
    }
    await sleep(2_500);
    stop.abort();
    const ran = await live;
    assert.equal(ran.code, exitCodes.differences, `${ran.out}\n${ran.err}`);
    assert.match(ran.out, /10 groups compared · 1 failing \(10\.00%\)/);
  });

  it('learns from a second baseline what differs between identical runs, and leaves it out', {
    timeout: 120_000,
  }, async () => {
    await capture(
      'noise-1',
      async (sides) => {
        for (let order = 1; order <= 10; order += 1) {
          // Every environment numbers its invoices its own way; the candidate also charges order 7 one more.
          const invoice = (side: string) => ({
            orderId: `o-${order}`,
            amountMinor: order,
            issuedAt: '',
            invoiceNo: `${side}-${order}`,
          });
          await sides.baseline.publish(InvoiceIssued, invoice('b'));
          await sides.secondBaseline.publish(InvoiceIssued, invoice('b2'));
          await sides.candidate.publish(InvoiceIssued, {
            ...invoice('c'),
            amountMinor: order === 7 ? 8 : order,
          });
        }
      },
      30,
    );
    const plain = await yard(['run', '--run', 'noise-1']);
    assert.equal(plain.code, exitCodes.differences);
    assert.match(plain.out, /invoice amounts: mismatch 10/);
    const denoised = await yard(['run', '--run', 'noise-1', '--noise']);
    assert.equal(denoised.code, exitCodes.differences, `${denoised.out}\n${denoised.err}`);
    assert.match(
      denoised.out,
      /Noise learnt from 10 groups of the second baseline: invoice amounts: invoiceNo/,
    );
    // Results are recorded once per group and reconciler: compare again under another run name to see the noise left out.
    const none = await yard(['run', '--run', 'batch-1', '--noise']);
    assert.equal(none.code, exitCodes.usage);
    assert.match(none.err, /has none: capture one with --environment baseline-2/);
  });

  it('replays a captured stream into another environment with new message ids and the same correlation ids', {
    timeout: 120_000,
  }, async () => {
    await capture(
      'replay-1',
      async (sides) => {
        for (let order = 1; order <= 5; order += 1) {
          await sides.baseline.publish(
            InvoiceIssued,
            { orderId: `o-${order}`, amountMinor: order, issuedAt: new Date().toISOString() },
            { correlationId: `corr-${order}` },
          );
        }
      },
      5,
    );
    // What the candidate receives, captured as the next run's candidate side.
    const stop = new AbortController();
    const tap = yard(
      ['capture', '--run', 'replay-2', '--environment', 'candidate', '--from', candidate.url],
      stop.signal,
    );
    await waitFor(() => queueExists(candidate, captureQueueName('replay-2', 'candidate')), 20_000);
    const replayed = await yard([
      'replay',
      '--run',
      'replay-1',
      '--environment',
      'baseline',
      '--into',
      candidate.url,
    ]);
    assert.equal(replayed.code, exitCodes.ok, replayed.err);
    assert.match(replayed.out, /Replayed 5 baseline messages of run replay-1/);
    const sql = connectPostgres({ url: database.url, maxConnections: 1 });
    try {
      await waitFor(async () => (await capturedCount(sql, 'replay-2')) >= 5, 30_000);
      const { rows } = await sql.query(
        `select o.correlation_id as original, r.correlation_id as replayed, o.message_id <> r.message_id as new_id
         from switchyard_regression.captured_messages o
         join switchyard_regression.captured_messages r on r.run = 'replay-2' and r.group_key = o.group_key
         where o.run = 'replay-1' order by o.group_key`,
      );
      assert.equal(rows.length, 5);
      for (const row of rows) {
        assert.equal(row.replayed, row.original);
        assert.equal(row.new_id, true);
      }
    } finally {
      stop.abort();
      await tap;
      await sql.close();
    }
  });
});

async function capturedCount(sql: ReturnType<typeof connectPostgres>, run: string): Promise<number> {
  try {
    const { rows } = await sql.query(
      'select count(*)::int as n from switchyard_regression.captured_messages where run = $1',
      [run],
    );
    return Number(rows[0]?.n ?? 0);
  } catch {
    return -1;
  }
}

async function resultCount(sql: ReturnType<typeof connectPostgres>, run: string): Promise<number> {
  const { rows } = await sql.query(
    'select count(distinct group_key)::int as n from switchyard_regression.comparison_results where run = $1',
    [run],
  );
  return Number(rows[0]?.n ?? 0);
}

async function queueExists(vhost: TestVhost, queue: string): Promise<boolean> {
  const connection = await amqp.connect(vhost.url);
  try {
    const channel = await connection.createChannel();
    channel.on('error', () => {});
    await channel.checkQueue(queue);
    return true;
  } catch {
    return false;
  } finally {
    await connection.close().catch(() => {});
  }
}

async function waitFor(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`Not true within ${timeoutMs} ms`);
    await sleep(200);
  }
}
