import { type ConsumeContext, captureOutgoing, type MessageOf } from '@switchyard/bus';
import type { ModuleServices } from '@switchyard/host';
import { CoreUnavailableError } from './booking-problems.ts';
import { BookPostings, type Posting, PostingBooked, PostingRejected } from './contracts.ts';
import type { BookedPosting, CoreLedger } from './core-ledger.ts';
import { PostingJournal } from './posting-journal.ts';

export interface BookPostingsOptions {
  readonly core: CoreLedger;
  /** The queue BookPostings arrive on: retries are scheduled back to it. */
  readonly endpoint: string;
  /**
   * How long after a posting was sent its outcome can still change: the client's timeout plus the
   * longest the core takes to book what it received. A posting whose outcome is unknown is enquired
   * about only after this: an enquiry sooner could miss a posting the core is still booking, and
   * sending it again would book it twice.
   */
  readonly inDoubtMs: number;
  /** How long to wait before trying again when the core is closed (batch window) or cannot be reached. */
  readonly retryAfterMs: number;
}

/** What became of one posting in this attempt: answered (booked or refused for good), or try again at a time. */
type Attempt = { readonly kind: 'answered' } | { readonly kind: 'later'; readonly at: number };

/**
 * Books each posting of a BookPostings exactly once in a core that is not idempotent. The journal
 * answers a reference already booked or refused; one that may have reached the core is enquired about
 * (once its outcome can no longer change) and sent again only if the core has no posting for it; a new
 * one is journalled as sending, committed, and only then sent. No transaction stays open while the core
 * is called (the embedded database has one connection). What cannot be decided now (the core closed or
 * unreachable, an answer lost) is scheduled through the durable scheduler to be tried again, so the
 * command is never lost and never holds a session while it waits.
 */
export function bookPostings(services: ModuleServices, options: BookPostingsOptions) {
  const journal = new PostingJournal(services.schema);
  const timing = { inDoubtMs: options.inDoubtMs, claimMs: options.inDoubtMs };
  return async function bookPostings(
    command: MessageOf<typeof BookPostings>,
    context: ConsumeContext,
  ): Promise<void> {
    const later: Posting[] = [];
    let retryAt = 0;
    for (const posting of command.postings) {
      const attempt = await bookOne(posting);
      if (attempt.kind === 'later') {
        later.push(posting);
        retryAt = Math.max(retryAt, attempt.at);
      }
    }
    if (later.length === 0) return;
    const outgoing = await captureOutgoing(context, () =>
      context.send(`queue:${options.endpoint}`, BookPostings, { tradeId: command.tradeId, postings: later }),
    );
    // One entry per delivered command: a redelivery of this command replaces it rather than adding one.
    await services.sql.transaction((tx) =>
      services.scheduler.schedule(
        { id: `tradebook.booking.retry:${context.envelope.messageId}`, dueAt: new Date(retryAt), outgoing },
        tx,
      ),
    );
    context.logger.info(
      { tradeId: command.tradeId, postings: later.map((each) => each.clientRef), retryAt: new Date(retryAt) },
      'Booking: postings not decided yet; trying again later',
    );

    async function bookOne(posting: Posting): Promise<Attempt> {
      const { clientRef } = posting;
      const step = await services.sql.transaction((tx) =>
        journal.nextStep(tx, command.tradeId, posting, services.now(), timing),
      );
      if (step.kind === 'booked') return answerBooked(posting, step);
      if (step.kind === 'rejected') return answerRejected(posting, 'REJECTED', step.reason);
      if (step.kind === 'later') return step;
      if (step.kind === 'enquire') {
        let found: readonly BookedPosting[];
        try {
          found = await options.core.enquire(clientRef);
        } catch (error) {
          await journal.countEnquiry(services.sql, clientRef, true);
          context.logger.warn({ err: error, clientRef }, 'Booking: enquiry failed; trying again later');
          return { kind: 'later', at: services.now() + options.retryAfterMs };
        }
        await journal.countEnquiry(services.sql, clientRef, false);
        const [first] = found;
        if (first !== undefined) {
          if (found.length > 1) {
            context.logger.error(
              { clientRef, postings: found },
              'Booking: the core holds this reference more than once: it was booked twice',
            );
          }
          await journal.markBooked(services.sql, clientRef, first);
          return answerBooked(posting, first);
        }
        // The core has nothing for it, and its outcome can no longer change: send it.
        const now = services.now();
        await journal.markSending(services.sql, clientRef, now, now + timing.claimMs);
      }
      let outcome: Awaited<ReturnType<CoreLedger['post']>>;
      try {
        outcome = await options.core.post(posting);
      } catch (error) {
        if (error instanceof CoreUnavailableError) {
          // Nothing reached the core: the next attempt sends without asking.
          await journal.markNotSent(services.sql, clientRef);
          context.logger.warn({ err: error, clientRef }, 'Booking: core unavailable; trying again later');
          return { kind: 'later', at: services.now() + options.retryAfterMs };
        }
        await journal.markInDoubt(services.sql, clientRef);
        context.logger.warn({ err: error, clientRef }, 'Booking: outcome unknown; enquiring later');
        return { kind: 'later', at: services.now() + options.inDoubtMs };
      }
      if (outcome.kind === 'booked') {
        await journal.markBooked(services.sql, clientRef, outcome);
        return answerBooked(posting, outcome);
      }
      if (outcome.kind === 'rejected') {
        await journal.markRejected(services.sql, clientRef, `${outcome.code}: ${outcome.reason}`);
        return answerRejected(posting, outcome.code, outcome.reason);
      }
      await journal.markNotSent(services.sql, clientRef);
      context.logger.info(
        { clientRef, reason: outcome.reason },
        'Booking: the core is closed; trying again later',
      );
      return { kind: 'later', at: services.now() + options.retryAfterMs };
    }

    async function answerBooked(posting: Posting, booked: BookedPosting): Promise<Attempt> {
      await context.publish(PostingBooked, {
        tradeId: command.tradeId,
        clientRef: posting.clientRef,
        sequence: booked.sequence,
        businessDate: booked.businessDate,
      });
      return { kind: 'answered' };
    }

    async function answerRejected(posting: Posting, code: string, reason: string): Promise<Attempt> {
      await context.publish(PostingRejected, {
        tradeId: command.tradeId,
        clientRef: posting.clientRef,
        code,
        reason,
      });
      return { kind: 'answered' };
    }
  };
}
