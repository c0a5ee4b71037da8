import type { CoreConfig } from '../config.ts';
import { type PostingFields, reason } from '../protocol/records.ts';

/** Why a posting is refused: a reason code and the text that goes with it on the wire. */
export interface Rejection {
  readonly reason: string;
  readonly text: string;
}

const clientReferenceShape = /^[A-Za-z0-9._:/-]{1,20}$/;

function isCalendarDate(compact: string): boolean {
  if (!/^\d{8}$/.test(compact)) return false;
  const year = Number(compact.slice(0, 4));
  const month = Number(compact.slice(4, 6));
  const day = Number(compact.slice(6, 8));
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** The checks the core makes before booking, in the order it always made them; the first failure wins. */
export function rejectionOf(posting: PostingFields, config: CoreConfig): Rejection | undefined {
  if (!clientReferenceShape.test(posting.clientReference))
    return { reason: reason.clientReferenceInvalid, text: 'CLIENT REFERENCE INVALID' };
  if (!config.accounts.includes(posting.debitAccount))
    return { reason: reason.debitAccountUnknown, text: 'DEBIT ACCOUNT UNKNOWN' };
  if (!config.accounts.includes(posting.creditAccount))
    return { reason: reason.creditAccountUnknown, text: 'CREDIT ACCOUNT UNKNOWN' };
  if (posting.debitAccount === posting.creditAccount)
    return { reason: reason.sameAccount, text: 'DEBIT EQUALS CREDIT ACCOUNT' };
  if (!config.currencies.includes(posting.currency))
    return { reason: reason.currencyUnknown, text: 'CURRENCY UNKNOWN' };
  if (!/^\d{1,15}$/.test(posting.amount) || Number(posting.amount) <= 0)
    return { reason: reason.amountNotPositive, text: 'AMOUNT NOT A POSITIVE INTEGER' };
  if (!isCalendarDate(posting.valueDate))
    return { reason: reason.valueDateInvalid, text: 'VALUE DATE INVALID' };
  return undefined;
}
