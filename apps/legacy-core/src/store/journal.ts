import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, truncateSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { JournalCorruptError } from '../legacy-core-problems.ts';
import type { BookedFields, PostingFields } from '../protocol/records.ts';

/**
 * The core's store: an append-only text file, one line per leg, the debit leg then the credit leg,
 * both written in one write and fsync'd before the core answers. So an answered posting survives
 * kill -9, and a crash mid-write leaves at most one torn posting at the end, which was never answered
 * and is cut off when the journal is opened again.
 *
 *   D|20261206|000001|ALLOC-1|10000001|10000002|000000000012345|GBP|20261208|2026-12-06T15:40:00.000Z
 *   C|20261206|000001|ALLOC-1|10000002|10000001|000000000012345|GBP|20261208|2026-12-06T15:40:00.000Z
 *
 * (account, then the other side's account, so each leg reads on its own like a statement line.)
 */

/** One leg as read back from the journal. */
interface Leg {
  readonly side: 'D' | 'C';
  readonly businessDate: string;
  readonly sequence: number;
  readonly clientReference: string;
  readonly account: string;
  readonly contraAccount: string;
  readonly amount: string;
  readonly currency: string;
  readonly valueDate: string;
}

/** What a journal file holds once its torn tail is set aside. */
export interface JournalContents {
  readonly postings: BookedFields[];
  readonly legs: Leg[];
  /** Byte length of the whole postings; anything after it is a torn tail. */
  readonly soundLength: number;
}

function parseLeg(line: string): Leg | undefined {
  const fields = line.split('|');
  if (fields.length !== 10) return undefined;
  const [side, businessDate = '', sequence = '', clientReference = '', account = '', contraAccount = ''] =
    fields;
  const [amount = '', currency = '', valueDate = ''] = fields.slice(6);
  if ((side !== 'D' && side !== 'C') || !/^\d{8}$/.test(businessDate) || !/^\d+$/.test(sequence))
    return undefined;
  if (!/^\d+$/.test(amount)) return undefined;
  return {
    side,
    businessDate,
    sequence: Number(sequence),
    clientReference,
    account,
    contraAccount,
    amount,
    currency,
    valueDate,
  };
}

function legsPair(debit: Leg, credit: Leg): boolean {
  return (
    debit.side === 'D' &&
    credit.side === 'C' &&
    debit.businessDate === credit.businessDate &&
    debit.sequence === credit.sequence &&
    debit.clientReference === credit.clientReference &&
    debit.account === credit.contraAccount &&
    credit.account === debit.contraAccount &&
    debit.amount === credit.amount &&
    debit.currency === credit.currency &&
    debit.valueDate === credit.valueDate
  );
}

/**
 * Reads a journal. Whole D/C pairs are postings; a broken pair is tolerated only as the last thing in
 * the file (a crash mid-write), anywhere else it is a JournalCorruptError.
 */
export function readJournal(file: string): JournalContents {
  let text: string;
  try {
    text = readFileSync(file, 'latin1');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { postings: [], legs: [], soundLength: 0 };
    throw error;
  }
  const lines = text.split('\n');
  // The text after the last newline is unfinished (empty when the file ends cleanly).
  const unfinished = lines.pop() ?? '';
  const postings: BookedFields[] = [];
  const legs: Leg[] = [];
  let soundLength = 0;
  let index = 0;
  while (index < lines.length) {
    const debit = parseLeg(lines[index] ?? '');
    const credit = parseLeg(lines[index + 1] ?? '');
    if (!debit || !credit || !legsPair(debit, credit)) {
      const remaining = lines.length - index + (unfinished ? 1 : 0);
      if (remaining <= 2 && index + 2 >= lines.length) break;
      throw new JournalCorruptError(file, index + 1, 'expected a debit leg followed by its credit leg');
    }
    legs.push(debit, credit);
    postings.push({
      sequence: debit.sequence,
      businessDate: debit.businessDate,
      clientReference: debit.clientReference,
      debitAccount: debit.account,
      creditAccount: credit.account,
      amount: debit.amount,
      currency: debit.currency,
      valueDate: debit.valueDate,
    });
    soundLength += Buffer.byteLength(`${lines[index]}\n${lines[index + 1]}\n`, 'latin1');
    index += 2;
  }
  return { postings, legs, soundLength };
}

/** The open journal the running core appends to. */
export class Journal {
  readonly file: string;
  readonly #fd: number;

  private constructor(file: string, fd: number) {
    this.file = file;
    this.#fd = fd;
  }

  /** Opens (creating) the journal, cuts off a torn tail, and returns what it already holds. */
  static open(file: string): { journal: Journal; contents: JournalContents } {
    mkdirSync(dirname(file), { recursive: true });
    const contents = readJournal(file);
    const fd = openSync(file, 'a');
    truncateSync(file, contents.soundLength);
    return { journal: new Journal(file, fd), contents };
  }

  /** Appends both legs of a posting and waits for the disk: after this returns, the posting is booked. */
  append(posting: PostingFields, businessDate: string, sequence: number, bookedAt: Date): void {
    const common = [businessDate, String(sequence).padStart(6, '0'), posting.clientReference];
    const tail = [posting.amount, posting.currency, posting.valueDate, bookedAt.toISOString()];
    const debit = ['D', ...common, posting.debitAccount, posting.creditAccount, ...tail].join('|');
    const credit = ['C', ...common, posting.creditAccount, posting.debitAccount, ...tail].join('|');
    writeSync(this.#fd, `${debit}\n${credit}\n`, null, 'latin1');
    fsyncSync(this.#fd);
  }

  close(): void {
    closeSync(this.#fd);
  }
}
