import type { ConsumeContext, Middleware } from '../endpoint/consume-context.ts';
import { ConfigurationError } from '../errors.ts';
import type { Inbox } from '../ports/inbox.ts';
import type { Outbox, OutgoingMessage } from '../ports/outbox.ts';
import type { TransactionRunner } from '../ports/transaction.ts';
import type { OutboxDispatcher } from './outbox-dispatcher.ts';

const transactionItem = 'switchyard.transaction';

/** What the transactional middleware needs: where state lives, and the outbox (and inbox) in it. */
export interface TransactionalOptions<Tx> {
  readonly transactions: TransactionRunner<Tx>;
  readonly outbox: Outbox<Tx>;
  readonly dispatcher: OutboxDispatcher<Tx>;
  /** With an inbox, a redelivered message whose effects committed is acknowledged without running again. */
  readonly inbox?: Inbox<Tx>;
}

/**
 * Runs each consumer in one transaction with its inbox record and outbox rows: the consumer's state
 * changes, the fact that it handled the message, and the messages it produced commit together or not
 * at all. After commit the messages are sent at once; the outbox sweeper sends any left behind.
 */
export function transactional<Tx>(options: TransactionalOptions<Tx>): Middleware {
  return async (context, next) => {
    const produced: OutgoingMessage[] = [];
    const outer = context.outgoing;
    const result = await options.transactions.transaction(async (tx) => {
      const consumerKey = `${context.endpoint}/${context.consumer}`;
      if (options.inbox && !(await options.inbox.tryRecord(tx, consumerKey, context.envelope.messageId))) {
        return 'duplicate' as const;
      }
      context.items.set(transactionItem, tx);
      context.outgoing = { add: async (message) => void produced.push(message) };
      try {
        await next();
      } finally {
        context.outgoing = outer;
        context.items.delete(transactionItem);
      }
      return options.outbox.add(tx, produced, options.dispatcher.leaseMs);
    });
    if (result === 'duplicate') {
      context.logger.info(
        'Message already handled by this consumer (inbox); acknowledging without running it again',
      );
      return;
    }
    await options.dispatcher.deliver(result);
  };
}

/** The transaction the `transactional` middleware opened for this consumer, to write state in. */
export function transactionOf<Tx>(context: ConsumeContext): Tx {
  const tx = context.items.get(transactionItem);
  if (tx === undefined) {
    throw new ConfigurationError(
      `Consumer "${context.consumer}" on "${context.endpoint}" asked for a transaction, but the transactional() middleware is not on this endpoint`,
    );
  }
  return tx as Tx;
}
