import { MemoryBroker, MemoryTransport } from '@switchyard/bus';
import { transportContract } from './contract/transport-contract.ts';

transportContract('in-memory', async () => {
  const broker = new MemoryBroker();
  return {
    async connect() {
      const transport = new MemoryTransport(broker);
      await transport.start();
      return transport;
    },
    async dispose() {},
  };
});
