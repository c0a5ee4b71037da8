// Type tests of createBus's options; see type-assertions.ts. Checked by tsc, never run.
import {
  type BusOptions,
  createBus,
  defineMessage,
  MemoryTransport,
  type Middleware,
  type OutboundInput,
  type OutboundMiddleware,
} from '@switchyard/bus';
import { z } from 'zod';
import type { Equal, Expect } from './type-assertions.ts';

const ChargeCustomer = defineMessage('Billing.ChargeCustomer', z.object({ customerId: z.string() }));
const transport = new MemoryTransport();

// An outbound middleware sees what is produced, typed: stamping a header and handing on compiles.
const stampTenant: OutboundMiddleware = (input, next) => {
  type Kind = Expect<Equal<typeof input.kind, 'publish' | 'send'>>;
  const kind: Kind = true;
  input.headers['x-tenant'] = 't-1';
  return kind ? next() : next();
};
export const withOutbound = createBus({
  transport,
  outbound: [stampTenant],
  slotFollowsLive: [ChargeCustomer],
});
export type OutboundInputIsTheHooksFirstArgument = Expect<
  Equal<Parameters<OutboundMiddleware>[0], OutboundInput>
>;

// @ts-expect-error the transport must be a transport, not its options
createBus({ transport: { url: 'amqp://localhost' } });

// @ts-expect-error an option the bus does not have is refused, not ignored (a misspelt "retry")
createBus({ transport, retries: { immediate: 3 } });

// @ts-expect-error an outbound middleware returns next()'s promise: one that returns nothing would end the produce early
createBus({ transport, outbound: [(input: OutboundInput) => void input] });

const inbound: Middleware = (_context, next) => next();
// @ts-expect-error inbound middleware (around consumers) is not outbound middleware (around produced messages)
createBus({ transport, outbound: [inbound] });

// @ts-expect-error endpoints are made by receiveEndpoint, not named
createBus({ transport, endpoints: ['billing'] });

// @ts-expect-error the handler timeout is milliseconds, a number
createBus({ transport, handlerTimeoutMs: '5s' });

// @ts-expect-error slotFollowsLive lists message types, not their names
createBus({ transport, slotFollowsLive: ['Billing.ChargeCustomer'] });

// @ts-expect-error a bus service starts and stops
createBus({ transport, services: [{ start: async () => {} }] });

// @ts-expect-error the slot is a name
createBus({ transport, slot: 2 });

export type OptionsAreReadonly = Expect<
  Equal<BusOptions['outbound'], readonly OutboundMiddleware[] | undefined>
>;
