import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Bus, createBus, defineMessage } from '@switchyard/bus';
import { connectPostgres, migrate, type SqlClient } from '@switchyard/postgres';
import { RabbitMqTransport } from '@switchyard/rabbitmq';
import {
  compareRun,
  comparisonEndpoint,
  defineReconciler,
  PostgresCaptureStore,
  RabbitMqCapture,
  reconcilersComparer,
  regressionMigrations,
} from '@switchyard/regression';
import { postgresForTests, rabbitmqForTests, type TestSchema, type TestVhost } from '@switchyard/testing';
import { z } from 'zod';

const postgres = await postgresForTests();
const rabbitmq = await rabbitmqForTests();

const InvoiceIssued = defineMessage(
  'regressiontest.InvoiceIssued',
  z.object({ orderId: z.string(), amountMinor: z.number(), issuedAt: z.string() }),
);
const DeliveryBooked = defineMessage(
  'regressiontest.DeliveryBooked',
  z.object({ orderId: z.string(), van: z.string() }),
);

const invoices = defineReconciler({
  name: 'invoices',
  messages: [InvoiceIssued],
  compare: (baseline, candidate, t) =>
    t.diff(baseline.one(InvoiceIssued), candidate.one(InvoiceIssued), { ignore: ['issuedAt'] }),
});
const deliveries = defineReconciler({
  name: 'deliveries (throws on van 13)',
  messages: [DeliveryBooked],
  compare: (baseline, candidate, t) => {
    if (candidate.one(DeliveryBooked).van === 'van-13') throw new Error('van 13 is not a van');
    return t.diff(baseline.one(DeliveryBooked), candidate.one(DeliveryBooked));
  },
});

describe('a batch run on RabbitMQ and PostgreSQL', { skip: postgres.skip || rabbitmq.skip }, () => {
  let schema: TestSchema;
  let sql: SqlClient;
  const vhosts: TestVhost[] = [];
  const buses: Bus[] = [];
  before(async () => {
    schema = await postgres.createSchema();
    sql = connectPostgres({ url: schema.url, maxConnections: 6 });
    await migrate(sql, await regressionMigrations(schema.name));
  });
  after(async () => {
    for (const bus of buses) await bus.stop().catch(() => {});
    await sql?.close();
    for (const vhost of vhosts) await vhost.delete();
    await schema?.drop();
  });

  it('finds exactly the changed, missing, extra and failing groups, whatever the order and duplicates, with two comparers', {
    timeout: 180_000,
  }, async () => {
    const store = new PostgresCaptureStore(sql, { schema: schema.name });
    const [baselineVhost, candidateVhost, workVhost] = [
      await rabbitmq.createVhost(),
      await rabbitmq.createVhost(),
      await rabbitmq.createVhost(),
    ];
    vhosts.push(baselineVhost, candidateVhost, workVhost);
    const environment = async (vhost: TestVhost) => {
      const bus = createBus({ transport: new RabbitMqTransport({ url: vhost.url }) });
      buses.push(bus);
      await bus.start();
      return bus;
    };
    const [baseline, candidate] = [await environment(baselineVhost), await environment(candidateVhost)];
    const taps = [
      new RabbitMqCapture(store, {
        url: baselineVhost.url,
        run: 'r-1',
        environment: 'baseline',
        exchanges: [InvoiceIssued.entityName, DeliveryBooked.entityName],
      }),
      new RabbitMqCapture(store, {
        url: candidateVhost.url,
        run: 'r-1',
        environment: 'candidate',
        exchanges: [InvoiceIssued.entityName, DeliveryBooked.entityName],
      }),
    ];
    for (const tap of taps) await tap.start();

    const orders = Array.from({ length: 60 }, (_, index) => `o-${index}`);
    const now = () => new Date().toISOString();
    const publishAll = async (bus: Bus, side: 'baseline' | 'candidate') => {
      // Each side publishes in its own order: out of order between sides, as two environments do.
      const mine = side === 'baseline' ? orders : [...orders].reverse();
      for (const [index, orderId] of mine.entries()) {
        const number = Number(orderId.slice(2));
        if (side === 'candidate' && number >= 55) continue; // missing in the candidate
        const amountMinor = side === 'candidate' && number < 5 ? 1_000 + number + 1 : 1_000 + number; // changed
        const invoice = { orderId, amountMinor, issuedAt: now() };
        const invoiceOptions = { correlationId: orderId, messageId: `${side}-${orderId}-invoice` };
        await bus.publish(InvoiceIssued, invoice, invoiceOptions);
        if (number % 10 === 0) {
          const van = side === 'candidate' && number === 20 ? 'van-13' : `van-${number % 3}`;
          await bus.publish(DeliveryBooked, { orderId, van }, { correlationId: orderId });
        }
        // The same message again (a publisher's retry): captured twice, stored and compared once.
        if (index % 7 === 0) await bus.publish(InvoiceIssued, invoice, invoiceOptions);
      }
      if (side === 'candidate') {
        for (const extra of ['x-1', 'x-2'])
          await bus.publish(
            InvoiceIssued,
            { orderId: extra, amountMinor: 1, issuedAt: now() },
            { correlationId: extra },
          );
      }
    };
    await Promise.all([publishAll(baseline, 'baseline'), publishAll(candidate, 'candidate')]);
    for (const tap of taps) await tap.drain({ timeoutMs: 60_000 });

    const comparers = [0, 1].map(() =>
      createBus({
        transport: new RabbitMqTransport({ url: workVhost.url }),
        endpoints: [comparisonEndpoint({ store, compare: reconcilersComparer([invoices, deliveries]) })],
      }),
    );
    for (const comparer of comparers) {
      buses.push(comparer);
      await comparer.start();
    }
    const summary = await compareRun({
      bus: comparers[0] as Bus,
      store,
      run: 'r-1',
      rule: { quietMs: 500, maxWaitMs: 60_000, limit: 50 },
    });
    for (const tap of taps) await tap.stop();
    assert.equal(summary.groups, 62);
    assert.equal(summary.compared, 62);
    // Results are per group and reconciler: 60 + 2 invoice groups, 6 delivery groups.
    assert.deepEqual(summary.byOutcome, {
      match: 60 - 5 - 5 + 5, // 50 unchanged invoices, plus 5 matching deliveries
      mismatch: 5,
      'missing-in-candidate': 5,
      'missing-in-baseline': 2,
      'reconciler-error': 1,
    });
  });
});
