import { CoreProtocolError, CoreUnavailableError } from '../legacy-core-problems.ts';
import { formatRequest, type Reply, status } from '../protocol/records.ts';
import {
  type BookedPosting,
  compactDate,
  isoDate,
  type LedgerAudit,
  toBookedPosting,
} from '../store/ledger-model.ts';
import { CoreSession, type ReplyCollector } from './core-session.ts';

/** A posting to book: debit one account, credit another, the same amount. */
export interface CorePosting {
  /** Your key for it, 1-20 of A-Z a-z 0-9 . _ : / -; enquiries look postings up by it. */
  readonly clientReference: string;
  readonly debitAccount: string;
  readonly creditAccount: string;
  /** Minor units (pence, cents); the core refuses anything but a positive integer. */
  readonly amountMinor: number;
  /** ISO 4217, e.g. GBP. */
  readonly currency: string;
  /** YYYY-MM-DD. */
  readonly valueDate: string;
}

/** What the core answered to a POST. The uncertain cases are thrown (CoreTimeoutError, CoreConnectionLostError). */
export type PostResult =
  | { readonly outcome: 'booked'; readonly sequence: number; readonly businessDate: string }
  | { readonly outcome: 'rejected'; readonly code: string; readonly reason: string }
  | { readonly outcome: 'refused-batch-window' };

export interface LegacyCoreClientOptions {
  readonly port: number;
  readonly host?: string;
  /** At most this many sessions at once (default 4); keep it within the core's own limit. */
  readonly maxSessions?: number;
  /** Sent at logon, 1-8 of A-Z 0-9 (default SWYARD). */
  readonly terminalId?: string;
  /** Per call unless the call says otherwise, from asking for a session to the last reply (default 5000). */
  readonly timeoutMs?: number;
  /** For connecting and logging on (default 2000). */
  readonly connectTimeoutMs?: number;
}

export interface CallOptions {
  readonly timeoutMs?: number;
}

/** How the client has used its sessions since it was made: for operators and benchmarks. */
export interface ClientUsage {
  /** Calls that got a session and sent their request. */
  readonly exchanges: number;
  /** Time sessions spent in those exchanges, from the request sent to the last reply or failure. */
  readonly sessionBusyMs: number;
}

/**
 * Books postings into the legacy core and looks them up, over a pool of logged-on sessions. It never
 * sends a POST twice on its own: when the outcome is unknown it throws, and the caller enquires.
 */
export class LegacyCoreClient {
  readonly #host: string;
  readonly #port: number;
  readonly #maxSessions: number;
  readonly #terminalId: string;
  readonly #timeoutMs: number;
  readonly #connectTimeoutMs: number;
  readonly #idle: CoreSession[] = [];
  readonly #all = new Set<CoreSession>();
  readonly #waiters = new Set<() => void>();
  #opening = 0;
  #messageNo = 0;
  #closed = false;
  #exchanges = 0;
  #sessionBusyMs = 0;

  constructor(options: LegacyCoreClientOptions) {
    this.#host = options.host ?? '127.0.0.1';
    this.#port = options.port;
    this.#maxSessions = options.maxSessions ?? 4;
    this.#terminalId = options.terminalId ?? 'SWYARD';
    this.#timeoutMs = options.timeoutMs ?? 5_000;
    this.#connectTimeoutMs = options.connectTimeoutMs ?? 2_000;
  }

  /**
   * Sends one posting, once. Resolves with booked, rejected or refused-batch-window; throws
   * CoreTimeoutError or CoreConnectionLostError when it may or may not be booked (enquire), and
   * CoreUnavailableError when it was not sent.
   */
  async post(posting: CorePosting, options: CallOptions = {}): Promise<PostResult> {
    const amount =
      Number.isSafeInteger(posting.amountMinor) && posting.amountMinor > 0
        ? String(posting.amountMinor).padStart(15, '0')
        : String(posting.amountMinor);
    const messageNo = this.#nextMessageNo();
    const line = formatRequest({
      type: 'POST',
      messageNo,
      clientReference: posting.clientReference,
      debitAccount: posting.debitAccount,
      creditAccount: posting.creditAccount,
      amount,
      currency: posting.currency,
      valueDate: compactDate(posting.valueDate),
    });
    const [reply] = await this.#call(line, () => 'done', options);
    if (reply?.type === 'PSOK' && reply.messageNo === messageNo)
      return { outcome: 'booked', sequence: reply.sequence, businessDate: isoDate(reply.businessDate) };
    if (reply?.type === 'PSRJ' && reply.messageNo === messageNo) {
      if (reply.status === status.batchWindow) return { outcome: 'refused-batch-window' };
      return { outcome: 'rejected', code: reply.reason, reason: reply.text };
    }
    throw new CoreProtocolError(`unexpected reply to POST: ${describe(reply)}`);
  }

  /** Every posting the core booked under this client reference: none, one, or (after a resend) more. */
  async enquire(clientReference: string, options: CallOptions = {}): Promise<BookedPosting[]> {
    const messageNo = this.#nextMessageNo();
    let expected = -1;
    const replies = await this.#call(
      formatRequest({ type: 'ENQR', messageNo, clientReference }),
      (reply) => {
        if (reply.type === 'ENHD') expected = reply.count;
        else if (reply.type !== 'ENLN') return 'done';
        else expected--;
        return expected === 0 ? 'done' : 'more';
      },
      options,
    );
    const [header, ...lines] = replies;
    if (header?.type !== 'ENHD' || header.messageNo !== messageNo)
      throw new CoreProtocolError(`unexpected reply to ENQR: ${describe(header)}`);
    return lines.flatMap((line) => (line.type === 'ENLN' ? [toBookedPosting(line)] : []));
  }

  /** The core's whole ledger, with per-currency debit and credit totals: for tests and operators. */
  async audit(options: CallOptions = {}): Promise<LedgerAudit> {
    const messageNo = this.#nextMessageNo();
    let remaining = -1;
    const replies = await this.#call(
      formatRequest({ type: 'AUDT', messageNo }),
      (reply) => {
        if (reply.type === 'AUHD') remaining = reply.postings + reply.currencies;
        else if (reply.type !== 'AUCY' && reply.type !== 'AULN') return 'done';
        else remaining--;
        return remaining === 0 ? 'done' : 'more';
      },
      options,
    );
    const [header] = replies;
    if (header?.type !== 'AUHD' || header.messageNo !== messageNo)
      throw new CoreProtocolError(`unexpected reply to AUDT: ${describe(header)}`);
    const totals = replies.flatMap((reply) =>
      reply.type === 'AUCY'
        ? [{ currency: reply.currency, debits: reply.debits, credits: reply.credits }]
        : [],
    );
    const postings = replies.flatMap((reply) => (reply.type === 'AULN' ? [toBookedPosting(reply)] : []));
    return { postings, totals, balanced: totals.every((total) => total.debits === total.credits) };
  }

  /** Sends a CTRL record (e.g. `control('BATCH', 'ON')`, `control('FAULT', 'LOST-REPLY', '1')`). */
  async control(...command: string[]): Promise<string> {
    const [reply] = await this.#call(formatRequest({ type: 'CTRL', command }), () => 'done', {});
    if (reply?.type !== 'CTOK') throw new CoreProtocolError(`control refused: ${describe(reply)}`);
    return reply.text;
  }

  /** Exchanges so far and the session time they took: sessionBusyMs ÷ exchanges is the core's latency as this client sees it. */
  usage(): ClientUsage {
    return { exchanges: this.#exchanges, sessionBusyMs: this.#sessionBusyMs };
  }

  /** Logs off idle sessions and drops busy ones; calls still waiting for a session fail unsent. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const session of this.#all) session.close();
    this.#all.clear();
    this.#idle.length = 0;
    for (const wake of this.#waiters) wake();
  }

  async #call(line: string, collect: ReplyCollector, options: CallOptions): Promise<Reply[]> {
    const timeoutMs = options.timeoutMs ?? this.#timeoutMs;
    const deadline = Date.now() + timeoutMs;
    const session = await this.#acquire(deadline);
    const sent = performance.now();
    try {
      return await session.exchange(line, collect, Math.max(1, deadline - Date.now()));
    } finally {
      this.#exchanges += 1;
      this.#sessionBusyMs += performance.now() - sent;
      this.#release(session);
    }
  }

  async #acquire(deadline: number): Promise<CoreSession> {
    for (;;) {
      if (this.#closed) throw new CoreUnavailableError('the client is closed');
      const idle = this.#idle.pop();
      if (idle?.alive) return idle;
      if (idle) {
        this.#all.delete(idle);
        continue;
      }
      if (this.#all.size + this.#opening < this.#maxSessions) return this.#open(deadline);
      const left = deadline - Date.now();
      if (left <= 0) throw new CoreUnavailableError('no session came free in time; nothing was sent');
      await new Promise<void>((resolve) => {
        const wake = (): void => {
          clearTimeout(timer);
          this.#waiters.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, left);
        this.#waiters.add(wake);
      });
    }
  }

  async #open(deadline: number): Promise<CoreSession> {
    this.#opening++;
    try {
      const timeout = Math.max(1, Math.min(this.#connectTimeoutMs, deadline - Date.now()));
      const session = await CoreSession.open(this.#host, this.#port, this.#terminalId, timeout);
      if (this.#closed) {
        session.close();
        throw new CoreUnavailableError('the client is closed');
      }
      this.#all.add(session);
      return session;
    } finally {
      this.#opening--;
      this.#wakeOne();
    }
  }

  #release(session: CoreSession): void {
    if (session.alive && !this.#closed) this.#idle.push(session);
    else this.#all.delete(session);
    this.#wakeOne();
  }

  #wakeOne(): void {
    const [wake] = this.#waiters;
    wake?.();
  }

  #nextMessageNo(): string {
    this.#messageNo = (this.#messageNo + 1) % 1_000_000;
    return String(this.#messageNo).padStart(6, '0');
  }
}

function describe(reply: Reply | undefined): string {
  if (!reply) return 'nothing';
  return reply.type === 'ERRR' ? `ERRR ${reply.status} ${reply.text}` : reply.type;
}
