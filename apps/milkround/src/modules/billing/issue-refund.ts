import { type ConsumeContext, type MessageOf, transactionOf } from '@switchyard/bus';
import type { ModuleServices } from '@switchyard/host';
import { column, type Row, type SqlTransaction } from '@switchyard/postgres';
import { currencyOf } from '../memberships/contracts.ts';
import type { RefundRequested } from '../returns/contracts.ts';
import { RefundIssued, RefundRefused } from './contracts.ts';
import { regionOf } from './customer-regions.ts';
import { type ChargeForRefund, priceRefund, type RefundDecision } from './refund-pricing.ts';

type RefundRequest = MessageOf<typeof RefundRequested>;

interface LockedCharge extends ChargeForRefund {
  readonly chargeId: string;
}

/** A decision recorded earlier, with the complaint and customer it was made for. */
interface RecordedAnswer {
  readonly complaintId: string;
  readonly customerId: string;
  readonly decision: RefundDecision;
}

/**
 * Answers a RefundRequested with RefundIssued or RefundRefused, priced from what the delivery was
 * charged. Each answer is recorded under its refund id: the same refund asked again gets the same
 * answer again, and never a second refund.
 */
export function issueRefund(services: ModuleServices) {
  const { schema } = services;

  const recordedAnswer = async (
    tx: SqlTransaction,
    refundId: string,
  ): Promise<RecordedAnswer | undefined> => {
    const { rows } = await tx.query(
      `select complaint_id, customer_id, refunded_quantity, amount_minor, refused_reason
       from ${schema}.refunds where refund_id = $1`,
      [refundId],
    );
    const row = rows[0];
    return row ? answerFromRow(row) : undefined;
  };

  // The lines are locked so that two refunds of the same line cannot both take its last units.
  const chargeOf = async (tx: SqlTransaction, deliveryId: string): Promise<LockedCharge | undefined> => {
    const { rows } = await tx.query(
      `select c.charge_id, c.customer_id, l.line_number, l.sku, l.quantity, l.unit_price_minor, l.refunded_quantity
       from ${schema}.charges c join ${schema}.charge_lines l on l.charge_id = c.charge_id
       where c.delivery_id = $1
       order by l.line_number
       for update of l`,
      [deliveryId],
    );
    const first = rows[0];
    if (!first) return undefined;
    return {
      chargeId: column.text(first, 'charge_id'),
      customerId: column.text(first, 'customer_id'),
      lines: rows.map((row) => ({
        lineNumber: column.integer(row, 'line_number'),
        sku: column.text(row, 'sku'),
        quantity: column.integer(row, 'quantity'),
        unitPriceMinor: column.integer(row, 'unit_price_minor'),
        refundedQuantity: column.integer(row, 'refunded_quantity'),
      })),
    };
  };

  const record = async (
    tx: SqlTransaction,
    request: RefundRequest,
    charge: LockedCharge | undefined,
    decision: RefundDecision,
  ) => {
    if (decision.kind === 'issue' && charge) {
      for (const part of decision.parts) {
        await tx.query(
          `update ${schema}.charge_lines set refunded_quantity = refunded_quantity + $3
           where charge_id = $1 and line_number = $2`,
          [charge.chargeId, part.lineNumber, part.quantity],
        );
      }
    }
    // A concurrent answer to the same refund id fails this insert; the retry then finds that answer.
    await tx.query(
      `insert into ${schema}.refunds (refund_id, complaint_id, customer_id, delivery_id, sku, requested_quantity,
         refunded_quantity, amount_minor, refused_reason, decided_at)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [
        request.refundId,
        request.complaintId,
        request.customerId,
        request.deliveryId,
        request.sku,
        request.quantity,
        decision.kind === 'issue' ? decision.quantity : 0,
        decision.kind === 'issue' ? decision.amountMinor : 0,
        decision.kind === 'refuse' ? decision.reason : null,
        new Date(services.now()),
      ],
    );
  };

  return async function issueRefund(request: RefundRequest, context: ConsumeContext): Promise<void> {
    const tx = transactionOf<SqlTransaction>(context);
    let answer = await recordedAnswer(tx, request.refundId);
    if (answer) {
      context.logger.info({ refundId: request.refundId }, 'Refund asked again; answering as before');
    } else {
      const charge = await chargeOf(tx, request.deliveryId);
      const decision = priceRefund(charge, request);
      await record(tx, request, charge, decision);
      answer = { complaintId: request.complaintId, customerId: request.customerId, decision };
    }
    const { complaintId, customerId, decision } = answer;
    if (decision.kind === 'issue') {
      await context.publish(RefundIssued, {
        refundId: request.refundId,
        complaintId,
        customerId,
        amountMinor: decision.amountMinor,
        currency: currencyOf(await regionOf(tx, schema, customerId)),
      });
    } else {
      await context.publish(RefundRefused, {
        refundId: request.refundId,
        complaintId,
        reason: decision.reason,
      });
    }
  };
}

function answerFromRow(row: Row): RecordedAnswer {
  const reason = column.optionalText(row, 'refused_reason');
  return {
    complaintId: column.text(row, 'complaint_id'),
    customerId: column.text(row, 'customer_id'),
    // The parts were applied when the refund was first decided; an answer repeated applies nothing.
    decision:
      reason !== undefined
        ? { kind: 'refuse', reason }
        : {
            kind: 'issue',
            quantity: column.integer(row, 'refunded_quantity'),
            amountMinor: column.integer(row, 'amount_minor'),
            parts: [],
          },
  };
}
