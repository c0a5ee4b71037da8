import {
  CoreConnectionLostError,
  CoreUnavailableError as CoreNotReached,
  CoreTimeoutError,
  type LegacyCoreClient,
} from '@switchyard/legacy-core';
import { CoreOutcomeUnknownError, CoreUnavailableError } from '../modules/booking/booking-problems.ts';
import type { Posting } from '../modules/booking/contracts.ts';
import type { BookedPosting, CoreLedger, PostOutcome } from '../modules/booking/core-ledger.ts';

/**
 * Booking's view of the legacy core, over its TCP client: the client's answers as booking's outcomes,
 * and its errors sorted into "not sent" and "may be booked". Anything the client throws that is not
 * known to have stopped before sending (a protocol error on the reply, say) counts as may be booked:
 * an enquiry costs a little time, a second posting costs money.
 */
export class LegacyCoreLedger implements CoreLedger {
  readonly #client: LegacyCoreClient;

  constructor(client: LegacyCoreClient) {
    this.#client = client;
  }

  async post(posting: Posting): Promise<PostOutcome> {
    try {
      const result = await this.#client.post({
        clientReference: posting.clientRef,
        debitAccount: posting.debitAccount,
        creditAccount: posting.creditAccount,
        amountMinor: posting.amountMinor,
        currency: posting.currency,
        valueDate: posting.valueDate,
      });
      if (result.outcome === 'booked') {
        return { kind: 'booked', sequence: result.sequence, businessDate: result.businessDate };
      }
      if (result.outcome === 'rejected')
        return { kind: 'rejected', code: result.code, reason: result.reason };
      return { kind: 'closed', reason: 'the core is in its batch window' };
    } catch (error) {
      if (error instanceof CoreNotReached) {
        throw new CoreUnavailableError(`The core was not reached: ${error.message}`, { cause: error });
      }
      const what =
        error instanceof CoreTimeoutError
          ? 'no answer in time'
          : error instanceof CoreConnectionLostError
            ? 'the connection closed before the answer'
            : 'the answer could not be read';
      throw new CoreOutcomeUnknownError(
        `Posting ${posting.clientRef} was sent and ${what}: it may be booked`,
        {
          cause: error,
        },
      );
    }
  }

  async enquire(clientRef: string): Promise<readonly BookedPosting[]> {
    const found = await this.#client.enquire(clientRef);
    return found.map((each) => ({ sequence: each.sequence, businessDate: each.businessDate }));
  }
}
