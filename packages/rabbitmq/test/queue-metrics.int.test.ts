import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { metrics } from '@opentelemetry/api';
import { type DataPoint, MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { ManagementClient, observeQueueMetrics, vhostOf } from '@switchyard/rabbitmq';
import { rabbitmqForTests, type TestVhost } from '@switchyard/testing';
import amqp from 'amqplib';

const rabbitmq = await rabbitmqForTests();

class TestMetricReader extends MetricReader {
  protected async onShutdown(): Promise<void> {}
  protected async onForceFlush(): Promise<void> {}
}

describe('queue metrics from the management API', { skip: rabbitmq.skip }, () => {
  let vhost: TestVhost;
  before(async () => {
    vhost = await rabbitmq.createVhost();
  });
  after(async () => {
    await vhost?.delete();
  });

  it('reports queue depth as a gauge, read when metrics are collected', async () => {
    const reader = new TestMetricReader();
    metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }));
    const connection = await amqp.connect(vhost.url);
    try {
      const channel = await connection.createConfirmChannel();
      await channel.assertQueue('deliveries', { durable: true });
      for (let index = 0; index < 3; index++)
        channel.sendToQueue('deliveries', Buffer.from('x'), { persistent: true });
      await channel.waitForConfirms();
      const stop = observeQueueMetrics(new ManagementClient(vhost.managementUrl, vhostOf(vhost.url)));
      try {
        // The management API refreshes its statistics every few seconds.
        let depth = 0;
        const deadline = Date.now() + 15_000;
        while (depth !== 3 && Date.now() < deadline) {
          const { resourceMetrics } = await reader.collect();
          const gauge = resourceMetrics.scopeMetrics
            .flatMap((scope) => scope.metrics)
            .find((metric) => metric.descriptor.name === 'rabbitmq.queue.messages');
          const point = (gauge?.dataPoints as DataPoint<number>[] | undefined)?.find(
            (each) => each.attributes['messaging.destination.name'] === 'deliveries',
          );
          depth = point?.value ?? 0;
          if (depth !== 3) await new Promise((resolve) => setTimeout(resolve, 250));
        }
        assert.equal(depth, 3);
      } finally {
        stop();
      }
    } finally {
      await connection.close();
    }
  });
});
