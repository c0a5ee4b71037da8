import { metrics } from '@opentelemetry/api';
import type { ManagementClient } from './management-client.ts';

/**
 * Queue depth, consumer counts and rates from the management API as OpenTelemetry gauges
 * (`rabbitmq.queue.messages`, `.messages_unacknowledged`, `.consumers`, `.publish_rate`, `.ack_rate`),
 * read when the metrics are collected. Returns a function that stops reporting.
 */
export function observeQueueMetrics(
  management: ManagementClient,
  queueFilter: (name: string) => boolean = () => true,
) {
  const meter = metrics.getMeter('@switchyard/rabbitmq');
  const gauges = {
    messages: meter.createObservableGauge('rabbitmq.queue.messages', {
      description: 'Messages in the queue',
    }),
    unacked: meter.createObservableGauge('rabbitmq.queue.messages_unacknowledged', {
      description: 'Messages delivered and not yet acknowledged',
    }),
    consumers: meter.createObservableGauge('rabbitmq.queue.consumers', {
      description: 'Consumers on the queue',
    }),
    publishRate: meter.createObservableGauge('rabbitmq.queue.publish_rate', {
      description: 'Messages/s in',
      unit: '1/s',
    }),
    ackRate: meter.createObservableGauge('rabbitmq.queue.ack_rate', {
      description: 'Messages/s acknowledged',
      unit: '1/s',
    }),
  };
  const callback = async (result: import('@opentelemetry/api').BatchObservableResult) => {
    for (const queue of await management.queues()) {
      if (!queueFilter(queue.name)) continue;
      const attributes = { 'messaging.destination.name': queue.name };
      result.observe(gauges.messages, queue.messages ?? 0, attributes);
      result.observe(gauges.unacked, queue.messages_unacknowledged ?? 0, attributes);
      result.observe(gauges.consumers, queue.consumers ?? 0, attributes);
      result.observe(gauges.publishRate, queue.message_stats?.publish_details?.rate ?? 0, attributes);
      result.observe(gauges.ackRate, queue.message_stats?.ack_details?.rate ?? 0, attributes);
    }
  };
  const observables = Object.values(gauges);
  meter.addBatchObservableCallback(callback, observables);
  return () => meter.removeBatchObservableCallback(callback, observables);
}
