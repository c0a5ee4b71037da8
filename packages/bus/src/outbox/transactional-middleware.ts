import type { ConsumeContext, Middleware } from '../endpoint/consume-context.ts';
import { ConfigurationError } from '../errors.ts';
import { recordInInbox } from '../inbox/inbox-check.ts';
import type { Inbox } from '../ports/inbox.ts';
import type { Outbox, OutgoingMessage } from '../ports/outbox.ts';
import type { TransactionRunner } from '../ports/transaction.ts';
import type { TransactionalSends } from '../ports/transactional-sends.ts';
import { endpointOfQueue } from '../slots/slot-routing.ts';
import type { OutboxDispatcher } from './outbox-dispatcher.ts';

const transactionItem = 'switchyard.transaction';

/** What the transactional middleware needs: where state lives, and how the consumer's messages leave. */
export type TransactionalOptions<Tx> = {
  readonly transactions: TransactionRunner<Tx>;
  /** With an inbox, a redelivered message whose effects committed is acknowledged without running again. */
  readonly inbox?: Inbox<Tx>;
} & (
  | {
      /** Messages are stored in the outbox in the transaction, then dispatched after commit. */
      readonly outbox: Outbox<Tx>;
      readonly dispatcher: OutboxDispatcher<Tx>;
      readonly sends?: never;
    }
  | {
      /**
       * Messages go straight into the transport's queues in the transaction: for a transport in the
       * same database as the state. Nothing is left to dispatch after commit.
       */
      readonly sends: TransactionalSends<Tx>;
      readonly outbox?: never;
      readonly dispatcher?: never;
    }
);

/**
 * Runs each consumer in one transaction with its inbox record and the messages it produced: the
 * consumer's state changes, the fact that it handled the message, and its messages commit together or
 * not at all. With an outbox, the messages are sent at once after commit and the outbox sweeper sends
 * any left behind; with transactional sends, the commit itself delivers them.
 */
export function transactional<Tx>(options: TransactionalOptions<Tx>): Middleware {
  if (!options.sends && !(options.outbox && options.dispatcher)) {
    throw new ConfigurationError(
      'transactional() needs an outbox and its dispatcher, or transactional sends',
    );
  }
  return async (context, next) => {
    const produced: OutgoingMessage[] = [];
    const outer = context.outgoing;
    // An attempt that timed out, or a bus past its stop deadline, must not commit what it did.
    const cutShortBy = { signal: context.signal };
    const result = await options.transactions.transaction(async (tx) => {
      // The endpoint, not its slot's queue: a message handled in blue is found handled in green.
      const consumerKey = `${endpointOfQueue(context.endpoint)}/${context.consumer}`;
      if (options.inbox && (await recordInInbox(options.inbox, tx, consumerKey, context)) === 'duplicate') {
        return { kind: 'duplicate' as const };
      }
      context.items.set(transactionItem, tx);
      context.outgoing = { add: async (message) => void produced.push(message) };
      try {
        await next();
      } finally {
        context.outgoing = outer;
        context.items.delete(transactionItem);
      }
      if (options.sends) {
        return { kind: 'sent' as const, committed: await options.sends.sendInTransaction(tx, produced) };
      }
      const added = await (options.outbox as Outbox<Tx>).add(
        tx,
        produced,
        (options.dispatcher as OutboxDispatcher<Tx>).leaseMs,
      );
      return { kind: 'stored' as const, added };
    }, cutShortBy);
    if (result.kind === 'duplicate') return;
    if (result.kind === 'sent') result.committed();
    else await (options.dispatcher as OutboxDispatcher<Tx>).dispatchAdded(result.added);
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
