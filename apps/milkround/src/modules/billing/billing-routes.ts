import { type ModuleServices, type RouteDefinition, route, storable } from '@switchyard/host';
import { z } from 'zod';
import { CommandFailed, failuresOf, failureView } from '../../shared/command-failures.ts';
import { Currency } from '../memberships/contracts.ts';
import { readBalance } from './balance-query.ts';
import { billingProblems, noAccount, noCredit, noInvoice } from './billing-problems.ts';
import { readCredit } from './credit-query.ts';
import { readInvoice } from './invoice-query.ts';

const CustomerParams = z.object({ customerId: storable.id() });
const InvoiceParams = CustomerParams.extend({
  period: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'expected a month as YYYY-MM, e.g. 2026-11'),
});

/** An amount in minor units of the answer's `currency`: pence for GBP, cents for USD. */
const Money = z.number().int();

const CustomerCurrency = Currency.describe(
  'The ISO 4217 currency of every amount in the answer: GBP for UK customers, USD for US ones',
);

const InvoiceBody = z.object({
  customerId: z.string(),
  period: z.string(),
  timeZone: z.string(),
  currency: CustomerCurrency,
  charges: z.array(
    z.object({
      chargeId: z.string(),
      deliveryId: z.string(),
      deliveryDate: z.string(),
      amountMinor: Money,
      lines: z.array(
        z.object({ sku: z.string(), quantity: z.number().int(), unitPriceMinor: Money, totalMinor: Money }),
      ),
    }),
  ),
  refunds: z.array(
    z.object({
      refundId: z.string(),
      complaintId: z.string(),
      deliveryId: z.string(),
      sku: z.string(),
      quantity: z.number().int(),
      amountMinor: Money,
      refundedOn: z.string(),
    }),
  ),
  credits: z.array(
    z.object({ creditId: z.string(), bottles: z.number().int(), amountMinor: Money, creditedOn: z.string() }),
  ),
  chargedMinor: Money,
  refundedMinor: Money,
  creditedMinor: Money,
  totalMinor: Money,
});

const BalanceBody = z.object({
  customerId: z.string(),
  currency: CustomerCurrency,
  chargedMinor: Money,
  refundedMinor: Money,
  creditedMinor: Money,
  balanceMinor: Money,
});

const CreditBody = z.object({
  creditId: z.string(),
  status: z.literal('credited'),
  customerId: z.string(),
  bottles: z.number().int(),
  amountMinor: Money,
  currency: CustomerCurrency,
  creditedAt: z.string(),
});

/** A return whose deposit could not be credited: why, and where its message waits. */
const FailedCredit = CommandFailed.extend({ creditId: z.string() });

/** The kind of failure recorded for a bottle return billing could not credit. */
export const creditFailure = 'credit';

/** Billing's HTTP routes: a customer's monthly invoice and running balance. */
export function billingRoutes(services: ModuleServices): RouteDefinition[] {
  return [
    route({
      method: 'GET',
      url: '/billing/credits/:creditId',
      summary:
        'The deposit credit for a bottle return (its returnId); failed, with the reason and the error queue entry, when it could not be made',
      tags: ['billing'],
      params: z.object({ creditId: storable.id() }),
      responses: {
        200: {
          description: 'The credit, or why it could not be made',
          schema: z.union([CreditBody, FailedCredit]),
        },
        404: {
          description: 'No credit (yet: a credit shows a moment after the return is recorded)',
          problems: [billingProblems.creditNotFound],
        },
      },
      handler: async ({ params }) => {
        const credit = await readCredit(services.sql, services.schema, params.creditId);
        if (credit) return { status: 200, body: credit };
        const [failed] = await failuresOf(services.sql, services.schema, creditFailure, params.creditId);
        if (failed) return { status: 200, body: { creditId: params.creditId, ...failureView(failed) } };
        throw noCredit(params.creditId);
      },
    }),
    route({
      method: 'GET',
      url: '/billing/customers/:customerId/invoices/:period',
      summary:
        "A customer's invoice for a month: charges by delivery date, refunds, deposit credits and the total",
      tags: ['billing'],
      params: InvoiceParams,
      responses: {
        200: { description: 'The invoice (amounts in minor units of its currency)', schema: InvoiceBody },
        400: { description: 'The period is not a month written YYYY-MM' },
        404: {
          description: 'Nothing was billed to the customer in that month',
          problems: [billingProblems.invoiceNotFound],
        },
      },
      handler: async ({ params }) => {
        const invoice = await readInvoice(services.sql, services.schema, params.customerId, params.period);
        if (!invoice) {
          throw noInvoice(params.customerId, params.period);
        }
        return { status: 200, body: invoice };
      },
    }),
    route({
      method: 'GET',
      url: '/billing/customers/:customerId/balance',
      summary: "A customer's balance: everything charged, less refunds and deposit credits",
      tags: ['billing'],
      params: CustomerParams,
      responses: {
        200: { description: 'The balance (amounts in minor units of its currency)', schema: BalanceBody },
        404: {
          description: 'Billing has nothing for the customer',
          problems: [billingProblems.accountNotFound],
        },
      },
      handler: async ({ params }) => {
        const balance = await readBalance(services.sql, services.schema, params.customerId);
        if (!balance) {
          throw noAccount(params.customerId);
        }
        return { status: 200, body: balance };
      },
    }),
  ];
}
