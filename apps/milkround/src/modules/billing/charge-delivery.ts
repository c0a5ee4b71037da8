import { type ConsumeContext, type MessageOf, transactionOf, uuidv7 } from '@switchyard/bus';
import type { ModuleServices } from '@switchyard/host';
import { column, type SqlTransaction } from '@switchyard/postgres';
import type { DeliveryCompleted } from '../deliveries/contracts.ts';
import { currencyOf } from '../memberships/contracts.ts';
import { CustomerCharged } from './contracts.ts';
import { regionOf } from './customer-regions.ts';

type Delivery = MessageOf<typeof DeliveryCompleted>;

/**
 * Charges a completed delivery once. The inbox drops a redelivered message; the unique delivery id drops
 * a DeliveryCompleted sent again under a new message id, and the first charge stands.
 */
export function chargeDelivery(services: ModuleServices) {
  const { schema } = services;
  return async function chargeDelivery(delivery: Delivery, context: ConsumeContext): Promise<void> {
    const tx = transactionOf<SqlTransaction>(context);
    const amountMinor = delivery.lines.reduce((sum, line) => sum + line.quantity * line.unitPriceMinor, 0);
    const { rows } = await tx.query(
      `insert into ${schema}.charges (charge_id, delivery_id, customer_id, delivery_date, amount_minor, charged_at)
       values ($1, $2, $3, $4, $5, $6)
       on conflict (delivery_id) do nothing
       returning charge_id`,
      [
        uuidv7(),
        delivery.deliveryId,
        delivery.customerId,
        delivery.deliveryDate,
        amountMinor,
        new Date(services.now()),
      ],
    );
    const inserted = rows[0];
    if (!inserted) {
      context.logger.info(
        { deliveryId: delivery.deliveryId },
        'Delivery already charged; not charging again',
      );
      return;
    }
    const chargeId = column.text(inserted, 'charge_id');
    for (const [index, line] of delivery.lines.entries()) {
      await tx.query(
        `insert into ${schema}.charge_lines (charge_id, line_number, sku, quantity, unit_price_minor, total_minor)
         values ($1, $2, $3, $4, $5, $6)`,
        [
          chargeId,
          index + 1,
          line.sku,
          line.quantity,
          line.unitPriceMinor,
          line.quantity * line.unitPriceMinor,
        ],
      );
    }
    await context.publish(CustomerCharged, {
      chargeId,
      customerId: delivery.customerId,
      deliveryId: delivery.deliveryId,
      amountMinor,
      currency: currencyOf(await regionOf(tx, schema, delivery.customerId)),
    });
  };
}
