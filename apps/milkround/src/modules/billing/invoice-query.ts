import { column, type Row, type SqlExecutor } from '@switchyard/postgres';
import { type Currency, currencyOf } from '../memberships/contracts.ts';
import { regionOf, timeZoneOf } from './customer-regions.ts';

/** One line of a charge as the invoice shows it. */
export interface InvoiceChargeLine {
  readonly sku: string;
  readonly quantity: number;
  readonly unitPriceMinor: number;
  readonly totalMinor: number;
}

/** One delivery's charge. */
export interface InvoiceCharge {
  readonly chargeId: string;
  readonly deliveryId: string;
  readonly deliveryDate: string;
  readonly amountMinor: number;
  readonly lines: InvoiceChargeLine[];
}

export interface InvoiceRefund {
  readonly refundId: string;
  readonly complaintId: string;
  readonly deliveryId: string;
  readonly sku: string;
  readonly quantity: number;
  readonly amountMinor: number;
  /** The customer's local date on which the refund was issued. */
  readonly refundedOn: string;
}

export interface InvoiceCredit {
  readonly creditId: string;
  readonly bottles: number;
  readonly amountMinor: number;
  /** The customer's local date on which the bottles were credited. */
  readonly creditedOn: string;
}

/**
 * A customer's month: charges by delivery date, refunds and credits by the local date they were made.
 * Every amount is in minor units of `currency`.
 */
export interface Invoice {
  readonly customerId: string;
  readonly period: string;
  readonly timeZone: string;
  readonly currency: Currency;
  readonly charges: InvoiceCharge[];
  readonly refunds: InvoiceRefund[];
  readonly credits: InvoiceCredit[];
  readonly chargedMinor: number;
  readonly refundedMinor: number;
  readonly creditedMinor: number;
  /** What the customer owes for the month: charges less refunds and credits (negative: in credit). */
  readonly totalMinor: number;
}

/** The invoice of `customerId` for `period` (`YYYY-MM`), or undefined when nothing was billed in it. */
export async function readInvoice(
  sql: SqlExecutor,
  schema: string,
  customerId: string,
  period: string,
): Promise<Invoice | undefined> {
  const region = await regionOf(sql, schema, customerId);
  const timeZone = timeZoneOf(region);
  const chargeRows = await sql.query(
    `select c.charge_id, c.delivery_id, to_char(c.delivery_date, 'YYYY-MM-DD') as delivery_date, c.amount_minor,
       l.sku, l.quantity, l.unit_price_minor, l.total_minor
     from ${schema}.charges c join ${schema}.charge_lines l on l.charge_id = c.charge_id
     where c.customer_id = $1 and to_char(c.delivery_date, 'YYYY-MM') = $2
     order by c.delivery_date, c.charged_at, c.charge_id, l.line_number`,
    [customerId, period],
  );
  const refundRows = await sql.query(
    `select refund_id, complaint_id, delivery_id, sku, refunded_quantity, amount_minor,
       to_char(decided_at at time zone $3, 'YYYY-MM-DD') as refunded_on
     from ${schema}.refunds
     where customer_id = $1 and refused_reason is null and to_char(decided_at at time zone $3, 'YYYY-MM') = $2
     order by decided_at, refund_id`,
    [customerId, period, timeZone],
  );
  const creditRows = await sql.query(
    `select credit_id, bottles, amount_minor, to_char(credited_at at time zone $3, 'YYYY-MM-DD') as credited_on
     from ${schema}.credits
     where customer_id = $1 and to_char(credited_at at time zone $3, 'YYYY-MM') = $2
     order by credited_at, credit_id`,
    [customerId, period, timeZone],
  );
  if (chargeRows.rows.length + refundRows.rows.length + creditRows.rows.length === 0) return undefined;
  const charges = chargesFromRows(chargeRows.rows);
  const refunds = refundRows.rows.map(refundFromRow);
  const credits = creditRows.rows.map(creditFromRow);
  const chargedMinor = sum(charges);
  const refundedMinor = sum(refunds);
  const creditedMinor = sum(credits);
  return {
    customerId,
    period,
    timeZone,
    currency: currencyOf(region),
    charges,
    refunds,
    credits,
    chargedMinor,
    refundedMinor,
    creditedMinor,
    totalMinor: chargedMinor - refundedMinor - creditedMinor,
  };
}

function chargesFromRows(rows: readonly Row[]): InvoiceCharge[] {
  const charges: InvoiceCharge[] = [];
  for (const row of rows) {
    const chargeId = column.text(row, 'charge_id');
    let charge = charges.at(-1);
    if (charge?.chargeId !== chargeId) {
      charge = {
        chargeId,
        deliveryId: column.text(row, 'delivery_id'),
        deliveryDate: column.text(row, 'delivery_date'),
        amountMinor: column.integer(row, 'amount_minor'),
        lines: [],
      };
      charges.push(charge);
    }
    charge.lines.push({
      sku: column.text(row, 'sku'),
      quantity: column.integer(row, 'quantity'),
      unitPriceMinor: column.integer(row, 'unit_price_minor'),
      totalMinor: column.integer(row, 'total_minor'),
    });
  }
  return charges;
}

function refundFromRow(row: Row): InvoiceRefund {
  return {
    refundId: column.text(row, 'refund_id'),
    complaintId: column.text(row, 'complaint_id'),
    deliveryId: column.text(row, 'delivery_id'),
    sku: column.text(row, 'sku'),
    quantity: column.integer(row, 'refunded_quantity'),
    amountMinor: column.integer(row, 'amount_minor'),
    refundedOn: column.text(row, 'refunded_on'),
  };
}

function creditFromRow(row: Row): InvoiceCredit {
  return {
    creditId: column.text(row, 'credit_id'),
    bottles: column.integer(row, 'bottles'),
    amountMinor: column.integer(row, 'amount_minor'),
    creditedOn: column.text(row, 'credited_on'),
  };
}

function sum(entries: readonly { readonly amountMinor: number }[]): number {
  return entries.reduce((total, entry) => total + entry.amountMinor, 0);
}
