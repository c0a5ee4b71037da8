import type { ConsumeContext } from '../endpoint/consume-context.ts';
import { recordInboxOutcome } from '../observability/telemetry.ts';
import type { Inbox } from '../ports/inbox.ts';
import { InboxReusedIdError } from './inbox-errors.ts';
import { messageFingerprint } from './message-fingerprint.ts';

/**
 * Records the message in the inbox inside `tx` and says whether the consumer should run. A duplicate is
 * counted and logged, then acknowledged untouched; a reused id throws `InboxReusedIdError`; a message
 * sent longer ago than the inbox's window runs, but is counted and logged, since a first copy handled
 * before the window began would no longer be found.
 */
export async function recordInInbox<Tx>(
  inbox: Inbox<Tx>,
  tx: Tx,
  consumerKey: string,
  context: ConsumeContext,
  now: number = Date.now(),
): Promise<'run' | 'duplicate'> {
  const { envelope } = context;
  const fingerprint = messageFingerprint(envelope.messageType, envelope.message);
  const verdict = await inbox.tryRecord(tx, consumerKey, { messageId: envelope.messageId, fingerprint });
  if (verdict === 'duplicate') {
    recordInboxOutcome(context.endpoint, context.consumer, 'duplicate');
    context.logger.info(
      'Message already handled by this consumer (inbox); acknowledging without running it again',
    );
    return 'duplicate';
  }
  if (verdict === 'reused-id') {
    recordInboxOutcome(context.endpoint, context.consumer, 'reused-id');
    throw new InboxReusedIdError(consumerKey, envelope.messageId);
  }
  const sentAt = Date.parse(envelope.sentTime);
  if (Number.isFinite(sentAt) && now - sentAt > inbox.windowMs) {
    recordInboxOutcome(context.endpoint, context.consumer, 'beyond-window');
    context.logger.warn(
      { sentTime: envelope.sentTime, inboxWindowMs: inbox.windowMs },
      'Message was sent longer ago than the inbox remembers: if an earlier copy was handled before then, it runs again',
    );
  }
  return 'run';
}
