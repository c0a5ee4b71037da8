import { MemoryBroker, MemoryTransport } from '@switchyard/bus';
import { deliveryInputProperty } from './contract/delivery-input-property.ts';

deliveryInputProperty(
  'in memory',
  async () => {
    const broker = new MemoryBroker();
    return {
      async connect() {
        const transport = new MemoryTransport(broker);
        await transport.start();
        return transport;
      },
      async dispose() {},
    };
  },
  { numRuns: 300, maxHeaderChars: 1_000_000, quietMs: 2 },
);
