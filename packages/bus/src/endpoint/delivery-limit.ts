import { SwitchyardError } from '../errors.ts';

/** How many unsettled deliveries a message may have before it goes to the error queue, when a policy sets none. */
export const defaultDeliveryLimit = 20;

/**
 * A message reached the delivery limit: every earlier delivery ended without an ack or a requeue, which
 * is what a consumer that crashes or hangs the process looks like.
 */
export class DeliveryLimitExceededError extends SwitchyardError {
  constructor(messageId: string, unsettled: number, limit: number) {
    super(
      'DELIVERY_LIMIT_EXCEEDED',
      `Message ${messageId} was delivered ${unsettled} times without being settled; the consumer may be crashing the process (the limit is ${limit}, retry.deliveryLimit). Find the cause, then retry it from the error queue`,
    );
  }
}
