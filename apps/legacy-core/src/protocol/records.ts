/**
 * The wire records: printable ASCII fields separated by `|`, one record a line ended by CRLF, the
 * first field a four-letter record type. Parsing only splits and checks field counts and shapes the
 * protocol itself guarantees; what a field means (is the account known?) is the ledger's business.
 * The README documents every record with an example.
 */

export const recordEnd = '\r\n';
/** Longer lines are refused and the connection closed: a 1990s front end had a fixed buffer too. */
export const maxRecordLength = 512;

/** Two-digit status codes every reply uses. */
export const status = {
  ok: '00',
  rejected: '10',
  batchWindow: '20',
  sessionLimit: '30',
  notLoggedOn: '40',
  formatError: '90',
} as const;
export type StatusCode = (typeof status)[keyof typeof status];

/** Reason codes that come with status 10. */
export const reason = {
  debitAccountUnknown: 'R01',
  creditAccountUnknown: 'R02',
  currencyUnknown: 'R03',
  amountNotPositive: 'R04',
  valueDateInvalid: 'R05',
  clientReferenceInvalid: 'R06',
  sameAccount: 'R07',
} as const;

/** A posting as the wire carries it: every field still text. */
export interface PostingFields {
  readonly clientReference: string;
  readonly debitAccount: string;
  readonly creditAccount: string;
  /** Minor units, digits only, e.g. `000000000012345`. */
  readonly amount: string;
  readonly currency: string;
  /** YYYYMMDD. */
  readonly valueDate: string;
}

/** A posting the core booked, as it travels in ENLN and AULN lines. */
export interface BookedFields extends PostingFields {
  readonly sequence: number;
  /** YYYYMMDD. */
  readonly businessDate: string;
}

export type Request =
  | { readonly type: 'LGON'; readonly terminalId: string }
  | { readonly type: 'LGOF' }
  | ({ readonly type: 'POST'; readonly messageNo: string } & PostingFields)
  | { readonly type: 'ENQR'; readonly messageNo: string; readonly clientReference: string }
  | { readonly type: 'AUDT'; readonly messageNo: string }
  | { readonly type: 'CTRL'; readonly command: readonly string[] };

export type Reply =
  | { readonly type: 'LGOK'; readonly sessionNo: number; readonly businessDate: string }
  | { readonly type: 'LGRJ'; readonly status: string; readonly text: string }
  | { readonly type: 'LGBY' }
  | {
      readonly type: 'PSOK';
      readonly messageNo: string;
      readonly sequence: number;
      readonly businessDate: string;
    }
  | {
      readonly type: 'PSRJ';
      readonly messageNo: string;
      readonly status: string;
      readonly reason: string;
      readonly text: string;
    }
  | { readonly type: 'ENHD'; readonly messageNo: string; readonly count: number }
  | ({ readonly type: 'ENLN'; readonly messageNo: string } & BookedFields)
  | {
      readonly type: 'AUHD';
      readonly messageNo: string;
      readonly postings: number;
      readonly currencies: number;
    }
  | {
      readonly type: 'AUCY';
      readonly messageNo: string;
      readonly currency: string;
      readonly debits: bigint;
      readonly credits: bigint;
    }
  | ({ readonly type: 'AULN'; readonly messageNo: string } & BookedFields)
  | { readonly type: 'CTOK'; readonly text: string }
  | { readonly type: 'ERRR'; readonly status: string; readonly text: string };

/** A line that is not a record the protocol knows; the reply to it is `ERRR|90|<message>`. */
export class RecordFormatError extends Error {}

const printable = /^[\x20-\x7e]*$/;
const messageNoShape = /^\d{6}$/;

/** Splits one record (without its CRLF) into fields, refusing non-printable text. */
function fieldsOf(line: string): string[] {
  if (line.length > maxRecordLength) throw new RecordFormatError('RECORD TOO LONG');
  if (!printable.test(line)) throw new RecordFormatError('NON PRINTABLE CHARACTER');
  return line.split('|');
}

function expectCount(fields: readonly string[], count: number): void {
  if (fields.length !== count)
    throw new RecordFormatError(`${fields[0]} WANTS ${count - 1} FIELDS, GOT ${fields.length - 1}`);
}

function messageNo(fields: readonly string[]): string {
  const value = fields[1] ?? '';
  if (!messageNoShape.test(value)) throw new RecordFormatError('MESSAGE NUMBER MUST BE 6 DIGITS');
  return value;
}

function integer(value: string | undefined, what: string): number {
  if (!value || !/^\d+$/.test(value)) throw new RecordFormatError(`${what} MUST BE DIGITS`);
  return Number(value);
}

/** Reads a request a client sent; throws RecordFormatError for a line the core cannot read. */
export function parseRequest(line: string): Request {
  const fields = fieldsOf(line);
  const [type = '', a = '', b = '', c = '', d = '', e = '', f = '', g = ''] = fields;
  switch (type) {
    case 'LGON':
      expectCount(fields, 2);
      if (!/^[A-Z0-9]{1,8}$/.test(a)) throw new RecordFormatError('TERMINAL ID MUST BE 1-8 OF A-Z 0-9');
      return { type, terminalId: a };
    case 'LGOF':
      expectCount(fields, 1);
      return { type };
    case 'POST':
      expectCount(fields, 8);
      return {
        type,
        messageNo: messageNo(fields),
        clientReference: b,
        debitAccount: c,
        creditAccount: d,
        amount: e,
        currency: f,
        valueDate: g,
      };
    case 'ENQR':
      expectCount(fields, 3);
      return { type, messageNo: messageNo(fields), clientReference: b };
    case 'AUDT':
      expectCount(fields, 2);
      return { type, messageNo: messageNo(fields) };
    case 'CTRL':
      if (fields.length < 2) throw new RecordFormatError('CTRL WANTS A COMMAND');
      return { type, command: fields.slice(1) };
    default:
      throw new RecordFormatError(`UNKNOWN RECORD TYPE ${type.slice(0, 8)}`);
  }
}

function bookedFields(fields: readonly string[]): BookedFields {
  const [, , seq, businessDate = '', clientReference = '', debitAccount = '', creditAccount = ''] = fields;
  const [amount = '', currency = '', valueDate = ''] = fields.slice(7);
  return {
    sequence: integer(seq, 'SEQUENCE'),
    businessDate,
    clientReference,
    debitAccount,
    creditAccount,
    amount,
    currency,
    valueDate,
  };
}

/** Reads a reply the core sent; throws RecordFormatError for a line the client cannot read. */
export function parseReply(line: string): Reply {
  const fields = fieldsOf(line);
  const [type = '', a = '', b = '', c = '', d = ''] = fields;
  switch (type) {
    case 'LGOK':
      expectCount(fields, 3);
      return { type, sessionNo: integer(a, 'SESSION'), businessDate: b };
    case 'LGRJ':
      expectCount(fields, 3);
      return { type, status: a, text: b };
    case 'LGBY':
      expectCount(fields, 1);
      return { type };
    case 'PSOK':
      expectCount(fields, 4);
      return { type, messageNo: messageNo(fields), sequence: integer(b, 'SEQUENCE'), businessDate: c };
    case 'PSRJ':
      expectCount(fields, 5);
      return { type, messageNo: messageNo(fields), status: b, reason: c, text: d };
    case 'ENHD':
      expectCount(fields, 3);
      return { type, messageNo: messageNo(fields), count: integer(b, 'COUNT') };
    case 'ENLN':
    case 'AULN':
      expectCount(fields, 10);
      return { type, messageNo: messageNo(fields), ...bookedFields(fields) };
    case 'AUHD':
      expectCount(fields, 4);
      return {
        type,
        messageNo: messageNo(fields),
        postings: integer(b, 'COUNT'),
        currencies: integer(c, 'COUNT'),
      };
    case 'AUCY':
      expectCount(fields, 5);
      integer(c, 'DEBITS');
      integer(d, 'CREDITS');
      return { type, messageNo: messageNo(fields), currency: b, debits: BigInt(c), credits: BigInt(d) };
    case 'CTOK':
      expectCount(fields, 2);
      return { type, text: a };
    case 'ERRR':
      expectCount(fields, 3);
      return { type, status: a, text: b };
    default:
      throw new RecordFormatError(`UNKNOWN RECORD TYPE ${type.slice(0, 8)}`);
  }
}

function bookedLine(type: 'ENLN' | 'AULN', no: string, booked: BookedFields): string {
  return [
    type,
    no,
    String(booked.sequence).padStart(6, '0'),
    booked.businessDate,
    booked.clientReference,
    booked.debitAccount,
    booked.creditAccount,
    booked.amount,
    booked.currency,
    booked.valueDate,
  ].join('|');
}

/** Writes a reply as one line, without its CRLF. */
export function formatReply(reply: Reply): string {
  switch (reply.type) {
    case 'LGOK':
      return `LGOK|${String(reply.sessionNo).padStart(4, '0')}|${reply.businessDate}`;
    case 'LGRJ':
    case 'ERRR':
      return `${reply.type}|${reply.status}|${reply.text}`;
    case 'LGBY':
      return 'LGBY';
    case 'PSOK':
      return `PSOK|${reply.messageNo}|${String(reply.sequence).padStart(6, '0')}|${reply.businessDate}`;
    case 'PSRJ':
      return `PSRJ|${reply.messageNo}|${reply.status}|${reply.reason}|${reply.text}`;
    case 'ENHD':
      return `ENHD|${reply.messageNo}|${String(reply.count).padStart(4, '0')}`;
    case 'ENLN':
    case 'AULN':
      return bookedLine(reply.type, reply.messageNo, reply);
    case 'AUHD':
      return `AUHD|${reply.messageNo}|${String(reply.postings).padStart(8, '0')}|${String(reply.currencies).padStart(3, '0')}`;
    case 'AUCY':
      return `AUCY|${reply.messageNo}|${reply.currency}|${String(reply.debits).padStart(18, '0')}|${String(reply.credits).padStart(18, '0')}`;
    case 'CTOK':
      return `CTOK|${reply.text}`;
  }
}

/** Writes a request as one line, without its CRLF. */
export function formatRequest(request: Request): string {
  switch (request.type) {
    case 'LGON':
      return `LGON|${request.terminalId}`;
    case 'LGOF':
      return 'LGOF';
    case 'POST':
      return [
        'POST',
        request.messageNo,
        request.clientReference,
        request.debitAccount,
        request.creditAccount,
        request.amount,
        request.currency,
        request.valueDate,
      ].join('|');
    case 'ENQR':
      return `ENQR|${request.messageNo}|${request.clientReference}`;
    case 'AUDT':
      return `AUDT|${request.messageNo}`;
    case 'CTRL':
      return ['CTRL', ...request.command].join('|');
  }
}

/**
 * Cuts a byte stream into records at CRLF. Returns the complete records and what is left over;
 * `overflow` says the leftover already exceeds the longest record, so the peer is not speaking the protocol.
 */
export function splitRecords(buffered: string): { records: string[]; rest: string; overflow: boolean } {
  const parts = buffered.split(recordEnd);
  const rest = parts.pop() ?? '';
  return { records: parts, rest, overflow: rest.length > maxRecordLength + 1 };
}
