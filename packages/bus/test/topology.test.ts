import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  buildTopology,
  consumer,
  createBus,
  formatTopology,
  MemoryTransport,
  receiveEndpoint,
} from '@switchyard/bus';
import { DriverEvent, OrderAccepted, OrderPlaced } from './support/messages.ts';

describe('topology model', () => {
  it('derives MassTransit-style exchanges, queues and bindings from endpoints and their message types', () => {
    const topology = buildTopology([
      { name: 'billing', subscribes: ['milkround.orders:OrderPlaced'] },
      {
        name: 'deliveries',
        subscribes: ['milkround.orders:OrderPlaced', 'milkround.deliveries:DriverEvent'],
        queueType: 'quorum',
      },
    ]);
    assert.deepEqual(
      topology.queues.map((queue) => [queue.name, queue.role, queue.queueType]),
      [
        ['billing', 'endpoint', 'classic'],
        ['billing_error', 'error', 'classic'],
        ['billing_skipped', 'skipped', 'classic'],
        ['deliveries', 'endpoint', 'quorum'],
        ['deliveries_error', 'error', 'quorum'],
        ['deliveries_skipped', 'skipped', 'quorum'],
      ],
    );
    const orderPlaced = topology.exchanges.find(
      (exchange) => exchange.name === 'milkround.orders:OrderPlaced',
    );
    assert.deepEqual(orderPlaced, {
      name: 'milkround.orders:OrderPlaced',
      role: 'message-type',
      durable: true,
      autoDelete: false,
    });
    assert.deepEqual(
      topology.bindings.filter((binding) => binding.destinationType === 'exchange'),
      [
        {
          source: 'milkround.deliveries:DriverEvent',
          destination: 'deliveries',
          destinationType: 'exchange',
        },
        { source: 'milkround.orders:OrderPlaced', destination: 'billing', destinationType: 'exchange' },
        { source: 'milkround.orders:OrderPlaced', destination: 'deliveries', destinationType: 'exchange' },
      ],
    );
    assert.ok(
      topology.bindings.some(
        (binding) =>
          binding.source === 'billing' &&
          binding.destination === 'billing' &&
          binding.destinationType === 'queue',
      ),
      'each endpoint exchange feeds the queue of the same name',
    );
  });

  it('is the same whatever order endpoints are given in, so two deployments can be compared', () => {
    const a = buildTopology([
      { name: 'x', subscribes: ['n:A', 'n:B'] },
      { name: 'y', subscribes: ['n:B'] },
    ]);
    const b = buildTopology([
      { name: 'y', subscribes: ['n:B'] },
      { name: 'x', subscribes: ['n:B', 'n:A'] },
    ]);
    assert.deepEqual(a, b);
  });

  it('gives a bus its endpoints plus a temporary response queue, printable as tables', () => {
    const bus = createBus({
      transport: new MemoryTransport(),
      instanceName: 'web-1_bus',
      endpoints: [
        receiveEndpoint('orders', {
          consumers: [consumer(OrderPlaced, () => {}), consumer(OrderAccepted, () => {})],
        }),
        receiveEndpoint('deliveries', { consumers: [consumer(DriverEvent, () => {})] }),
      ],
    });
    const response = bus.topology().queues.find((queue) => queue.name === 'web-1_bus');
    assert.deepEqual(response, {
      name: 'web-1_bus',
      role: 'response',
      durable: false,
      autoDelete: true,
      queueType: 'classic',
    });
    const printed = formatTopology(bus.topology());
    assert.match(printed, /^Exchanges \(\d+\)\nname\s+role\s+type\s+durable\s+auto-delete\n-+/);
    assert.match(printed, /milkround\.orders:OrderPlaced\s+message-type\s+fanout\s+yes\s+no/);
    assert.match(printed, /Queues \(7\)/);
    assert.match(printed, /web-1_bus\s+response\s+classic\s+no\s+yes/);
    assert.match(printed, /Bindings \(\d+\)[\s\S]*milkround\.orders:OrderAccepted\s+orders\s+exchange/);
  });
});
