import { SwitchyardError } from '../errors.ts';

/**
 * A message arrived with the id of another message this consumer already handled, but with other
 * content. Dropping it as a duplicate would lose it and running it would break exactly-once for the
 * first, so it goes to the error queue for a person to look at. Never retried: nothing will change.
 */
export class InboxReusedIdError extends SwitchyardError {
  constructor(consumer: string, messageId: string) {
    super(
      'INBOX_REUSED_MESSAGE_ID',
      `Consumer "${consumer}" already handled a different message with id "${messageId}": the sender reused a message id. ` +
        'The message was not run; give it a new id and send it again, or purge it if it is not wanted',
    );
  }
}
