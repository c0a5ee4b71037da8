import assert from 'node:assert/strict';
import { afterEach, it } from 'node:test';
import {
  type Bus,
  consumer,
  createBus,
  defineMessage,
  faultOf,
  MessageLog,
  type ProducedRecord,
  receiveEndpoint,
} from '@switchyard/bus';
import { z } from 'zod';
import { defineSaga, event, sagaEndpoint } from '../src/index.ts';
import { sagaEnvironments } from './support/environments.ts';

const OrderSubmitted = defineMessage(
  'shop.OrderSubmitted',
  z.object({ orderId: z.string(), amount: z.number() }),
);
const CheckCredit = defineMessage('shop.CheckCredit', z.object({ amount: z.number() }));
const CreditChecked = defineMessage('shop.CreditChecked', z.object({ approved: z.boolean() }));
const OrderDecided = defineMessage(
  'shop.OrderDecided',
  z.object({ orderId: z.string(), outcome: z.string() }),
);

// The credit service answers with CreditChecked, or fails (amounts over 1,000) and the bus sends a
// Fault<CheckCredit> to the fault address: both come back to the saga by its id as correlation id.
const order = defineSaga({
  name: 'shop.Order',
  states: ['Checking', 'Decided'],
  initialData: () => ({ orderId: '' }),
  events: {
    submitted: event(OrderSubmitted, { byId: (m) => m.orderId }),
    checked: event(CreditChecked, { byCorrelationId: true }),
    failed: event(faultOf(CheckCredit), { byCorrelationId: true }),
  },
  behaviour: ({ initially, during, when }) => [
    initially(
      when('submitted', (saga) =>
        saga
          .update(({ data, message }) => {
            data.orderId = message.orderId;
          })
          .request('queue:credit', CheckCredit, ({ message }) => ({ amount: message.amount }))
          .transitionTo('Checking'),
      ),
    ),
    during(
      'Checking',
      when('checked', (saga) =>
        saga
          .publish(OrderDecided, ({ data, message }) => ({
            orderId: data.orderId,
            outcome: message.approved ? 'approved' : 'declined',
          }))
          .transitionTo('Decided'),
      ),
      when('failed', (saga) =>
        saga
          .publish(OrderDecided, ({ data, message }) => ({
            orderId: data.orderId,
            outcome: `credit check failed: ${message.exceptions[0]?.message}`,
          }))
          .transitionTo('Decided'),
      ),
    ),
  ],
});

const [memory] = await sagaEnvironments();
let bus: Bus | undefined;
afterEach(async () => {
  await bus?.stop();
});

it('sends a request and applies its response or its fault to the saga that asked', async () => {
  const setup = await (memory?.create() ?? Promise.reject(new Error('no memory environment')));
  const decided = new MessageLog<ProducedRecord>('decided');
  bus = createBus({
    transport: setup.transport,
    services: setup.services,
    endpoints: [
      sagaEndpoint(order, { ...setup.delivery, store: setup.store, inbox: setup.inbox }),
      receiveEndpoint('credit', {
        retry: { immediate: { limit: 0 } },
        consumers: [
          consumer(CheckCredit, async (request, context) => {
            if (request.amount > 1_000) throw new Error(`amount ${request.amount} is over the limit`);
            await context.respond(CreditChecked, { approved: request.amount <= 500 });
          }),
        ],
      }),
      receiveEndpoint('decisions', {
        consumers: [
          consumer(OrderDecided, (message, context) =>
            decided.add({ envelope: context.envelope, message, destination: 'decisions' }),
          ),
        ],
      }),
    ],
  });
  await bus.start();
  await bus.publish(OrderSubmitted, { orderId: 'small', amount: 100 });
  await bus.publish(OrderSubmitted, { orderId: 'large', amount: 700 });
  await bus.publish(OrderSubmitted, { orderId: 'huge', amount: 5_000 });
  const outcomes = await decided.waitForCount(OrderDecided, 3);
  assert.deepEqual(Object.fromEntries(outcomes.map((each) => [each.message.orderId, each.message.outcome])), {
    small: 'approved',
    large: 'declined',
    huge: 'credit check failed: amount 5000 is over the limit',
  });
});
