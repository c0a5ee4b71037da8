import { RabbitMqTransport } from '@switchyard/rabbitmq';
import { rabbitmqForTests } from '@switchyard/testing';
import { transportContract } from '../../bus/test/contract/transport-contract.ts';

const rabbitmq = await rabbitmqForTests();

if (rabbitmq.skip) {
  const { it } = await import('node:test');
  it('RabbitMQ transport contract', { skip: rabbitmq.skip }, () => {});
} else {
  transportContract('RabbitMQ', async () => {
    const vhost = await rabbitmq.createVhost();
    return {
      async connect() {
        const transport = new RabbitMqTransport({ url: vhost.url, connectionName: 'contract-test' });
        await transport.start();
        return transport;
      },
      dispose: () => vhost.delete(),
    };
  });
}
