// Type tests of regression's generics: defineReconciler, defineControlTotal and defineRegressionSuite.
// Checked by `npm run typecheck`, never run. An inference that regresses turns an `Expect<Equal<…>>`
// or an `@ts-expect-error` line into a type error.
import { defineMessage } from '@switchyard/bus';
import {
  type ControlTotal,
  defineControlTotal,
  defineReconciler,
  defineRegressionSuite,
  type Reconciler,
} from '@switchyard/regression';
import { z } from 'zod';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Expect<T extends true> = T;

const Charged = defineMessage(
  'billing.Charged',
  z.object({ customerId: z.string(), amountMinor: z.number().int(), chargedAt: z.string() }),
);
const Refunded = defineMessage(
  'billing.Refunded',
  z.object({ customerId: z.string(), amountMinor: z.number(), reason: z.string() }),
);
const Delivered = defineMessage('deliveries.Delivered', z.object({ deliveryId: z.string() }));

// compare sees each declared type's message, typed from its schema.
export const charges = defineReconciler({
  name: 'charges',
  messages: [Charged, Refunded],
  completeWhen: [Charged],
  compare: (baseline, candidate, t) => {
    const charged = baseline.one(Charged);
    type ChargedIsTyped = Expect<
      Equal<typeof charged, { customerId: string; amountMinor: number; chargedAt: string }>
    >;
    const refunds = candidate.ofType(Refunded);
    type RefundsAreTyped = Expect<
      Equal<typeof refunds, { customerId: string; amountMinor: number; reason: string }[]>
    >;
    const checks: [ChargedIsTyped, RefundsAreTyped] = [true, true];
    return checks ? t.diff(charged, candidate.one(Charged), { ignore: ['chargedAt'] }) : undefined;
  },
});
export type ReconcilerKeepsItsTypes = Expect<
  Equal<typeof charges, Reconciler<typeof Charged | typeof Refunded>>
>;

defineReconciler({
  name: 'charges only',
  messages: [Charged],
  // @ts-expect-error compare may ask only for the types the reconciler declares
  compare: (baseline) => void baseline.one(Delivered),
});

defineReconciler({
  name: 'charges again',
  messages: [Charged],
  // @ts-expect-error a charge has no deliveryId
  compare: (baseline) => void baseline.one(Charged).deliveryId,
});

defineReconciler({
  name: 'completes on a type it does not read',
  messages: [Charged],
  // @ts-expect-error completeWhen names only declared types
  completeWhen: [Delivered],
  compare: () => undefined,
});

// A bare URN is allowed, and reads as unknown: no field is taken on trust.
defineReconciler({
  name: 'by urn',
  messages: ['urn:message:billing:Charged'],
  compare: (baseline) => {
    const message = baseline.one('urn:message:billing:Charged');
    type Unknown = Expect<Equal<typeof message, unknown>>;
    const check: Unknown = true;
    return check ? undefined : [];
  },
});

// A control total's bucket and amount read the declared type's message.
export const dailyCharges = defineControlTotal({
  name: 'daily charges',
  messages: [Charged],
  bucket: (charge) => charge.chargedAt.slice(0, 10),
  amount: (charge) => charge.amountMinor,
});
export type ControlTotalKeepsItsType = Expect<Equal<typeof dailyCharges, ControlTotal<typeof Charged>>>;

defineControlTotal({
  name: 'amounts as text',
  messages: [Charged],
  bucket: (charge) => charge.customerId,
  // @ts-expect-error an amount is a number
  amount: (charge) => String(charge.amountMinor),
});

defineControlTotal({
  name: 'wrong field',
  messages: [Refunded],
  // @ts-expect-error a refund has no chargedAt
  bucket: (refund) => refund.chargedAt,
  amount: (refund) => refund.amountMinor,
});

// A suite takes the reconcilers and control totals as defined, whatever types each compares.
export const suite = defineRegressionSuite({
  name: 'billing',
  captures: [Charged, Refunded],
  reconcilers: [charges],
  controlTotals: [dailyCharges],
  settle: { quietMs: 1_000 },
});

// @ts-expect-error a suite lists reconcilers, not their names
defineRegressionSuite({ name: 'billing', captures: [Charged], reconcilers: ['charges'] });

// @ts-expect-error captures are message types or their URNs
defineRegressionSuite({ name: 'billing', captures: [42], reconcilers: [charges] });

defineRegressionSuite({
  name: 'billing',
  captures: [Charged],
  reconcilers: [charges],
  // @ts-expect-error the settle rule is in milliseconds
  settle: { quietMs: '5s' },
});

defineRegressionSuite({
  name: 'billing',
  captures: [Charged],
  reconcilers: [charges],
  // @ts-expect-error a group key is a string
  groupKey: (captured) => captured.sentTime.length,
});
