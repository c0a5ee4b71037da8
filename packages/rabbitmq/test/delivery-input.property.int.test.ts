import { RabbitMqTransport } from '@switchyard/rabbitmq';
import { rabbitmqForTests } from '@switchyard/testing';
import { deliveryInputProperty } from '../../bus/test/contract/delivery-input-property.ts';

const rabbitmq = await rabbitmqForTests();

if (rabbitmq.skip) {
  const { it } = await import('node:test');
  it('Any input on the wire, RabbitMQ', { skip: rabbitmq.skip }, () => {});
} else {
  deliveryInputProperty(
    'RabbitMQ',
    async () => {
      const vhost = await rabbitmq.createVhost();
      return {
        async connect() {
          const transport = new RabbitMqTransport({
            url: vhost.url,
            connectionName: 'delivery-input-property',
          });
          await transport.start();
          return transport;
        },
        dispose: () => vhost.delete(),
      };
    },
    // Headers travel in one AMQP frame (128 KiB by default), so the largest value stays well inside it.
    { numRuns: 150, maxHeaderChars: 50_000, quietMs: 30 },
  );
}
