// Type tests of the bus's public generics; see type-assertions.ts. Checked by tsc, never run.
import {
  type Bus,
  type ConsumeContext,
  consumer,
  createBus,
  defineMessage,
  MemoryTransport,
  type MessageOf,
  type MessageType,
  receiveEndpoint,
} from '@switchyard/bus';
import { z } from 'zod';
import type { Equal, Expect } from './type-assertions.ts';

const OrderPlaced = defineMessage(
  'shop.orders.OrderPlaced',
  z.object({ orderId: z.string(), quantity: z.number().int(), note: z.string().optional() }),
);

// defineMessage infers the message from the schema's output; MessageOf reads it back.
type Placed = MessageOf<typeof OrderPlaced>;
export type MessageOfInfersTheSchemaOutput = Expect<
  Equal<Placed, { orderId: string; quantity: number; note?: string | undefined }>
>;
export type DefineMessageGivesAMessageType = Expect<Equal<typeof OrderPlaced, MessageType<Placed>>>;
export type MessageOfANonMessageIsNever = Expect<Equal<MessageOf<string>, never>>;

// A schema's transform shapes the message consumers see.
const Priced = defineMessage(
  'shop.orders.Priced',
  z.object({ pence: z.string() }).transform((value) => ({ pence: Number(value.pence) })),
);
export type TransformsAreTheOutput = Expect<Equal<MessageOf<typeof Priced>, { pence: number }>>;

// A consumer's handler receives the message type it declared.
export const typedConsumer = consumer(OrderPlaced, (message, context) => {
  type Received = Expect<Equal<typeof message, Placed>>;
  const check: Received = true;
  const typedContext: ConsumeContext = context;
  return void [check, typedContext];
});

// @ts-expect-error a handler cannot read a field its message type does not have
consumer(OrderPlaced, (message) => message.customerId);

declare const bus: Bus;
void bus.publish(OrderPlaced, { orderId: 'o-1', quantity: 2 });
// @ts-expect-error publish checks the message against its type: quantity is a number
void bus.publish(OrderPlaced, { orderId: 'o-1', quantity: '2' });
// @ts-expect-error a required field cannot be left out
void bus.publish(OrderPlaced, { quantity: 2 });
void bus.send('queue:orders', OrderPlaced, { orderId: 'o-1', quantity: 2 });
// @ts-expect-error send checks the message too
void bus.send('queue:orders', OrderPlaced, { orderId: 1, quantity: 2 });

export const built = createBus({
  transport: new MemoryTransport(),
  endpoints: [receiveEndpoint('orders', { consumers: [typedConsumer] })],
});
// @ts-expect-error a bus needs a transport
createBus({ endpoints: [] });
// @ts-expect-error an endpoint needs its consumers
receiveEndpoint('orders', {});
