import { type ConsumerDefinition, consumer, transactionOf } from '@switchyard/bus';
import type { ModuleServices } from '@switchyard/host';
import { column, qualified, type SqlExecutor, type SqlTransaction } from '@switchyard/postgres';
import { TradeBooked, TradeCancellationCompleted, TradeExceptionRaised } from './contracts.ts';

export interface OpenException {
  readonly tradeId: string;
  readonly kind: string;
  readonly detail: string;
  readonly raisedAt: string;
}

/** Counts of trades by how they stand, for the summary route and the feed's progress. */
export interface TradeSummary {
  readonly booked: number;
  readonly cancelled: number;
  readonly openExceptions: number;
  /** When the first and the last trade was decided (booked or cancelled); null before any was. */
  readonly firstDecidedAt: string | null;
  readonly lastDecidedAt: string | null;
}

/**
 * The trades' read model, written from the saga's events and read by the routes: the trades in an
 * exception, and how each decided trade ended.
 */
export class TradeReadModel {
  readonly #table: string;
  readonly #outcomes: string;

  constructor(schema: string) {
    this.#table = qualified(schema, 'open_exceptions');
    this.#outcomes = qualified(schema, 'trade_outcomes');
  }

  async summary(db: SqlExecutor): Promise<TradeSummary> {
    const { rows } = await db.query(
      `select count(*) filter (where outcome = 'booked') as booked, count(*) filter (where outcome = 'cancelled') as cancelled,
         min(decided_at) as first_decided, max(decided_at) as last_decided,
         (select count(*) from ${this.#table}) as open_exceptions
       from ${this.#outcomes}`,
    );
    const row = rows[0] ?? {};
    return {
      booked: column.integer(row, 'booked'),
      cancelled: column.integer(row, 'cancelled'),
      openExceptions: column.integer(row, 'open_exceptions'),
      firstDecidedAt: column.optionalTimestamp(row, 'first_decided')?.toISOString() ?? null,
      lastDecidedAt: column.optionalTimestamp(row, 'last_decided')?.toISOString() ?? null,
    };
  }

  /** Oldest first, a page at a time: `after` is the last trade id of the previous page with its time. */
  async list(db: SqlExecutor, page: { limit: number; kind?: string | undefined }): Promise<OpenException[]> {
    const { rows } = await db.query(
      `select trade_id, kind, detail, raised_at from ${this.#table}
       where ($1::text is null or kind = $1) order by raised_at, trade_id limit $2`,
      [page.kind ?? null, page.limit],
    );
    return rows.map((row) => ({
      tradeId: column.text(row, 'trade_id'),
      kind: column.text(row, 'kind'),
      detail: column.text(row, 'detail'),
      raisedAt: column.timestamp(row, 'raised_at').toISOString(),
    }));
  }

  /** Open exceptions, of one kind or of every kind. */
  async count(db: SqlExecutor, kind?: string): Promise<number> {
    const { rows } = await db.query(
      `select count(*) as n from ${this.#table} where ($1::text is null or kind = $1)`,
      [kind ?? null],
    );
    return column.integer(rows[0] ?? { n: 0 }, 'n');
  }

  /** The consumers that keep the list: an exception raised replaces the trade's row; an outcome removes it. */
  consumers(services: ModuleServices): ConsumerDefinition[] {
    return [
      consumer(TradeExceptionRaised, async (raised, context) => {
        await transactionOf<SqlTransaction>(context).query(
          `insert into ${this.#table} (trade_id, kind, detail, raised_at) values ($1, $2, $3, $4)
           on conflict (trade_id) do update set kind = excluded.kind, detail = excluded.detail, raised_at = excluded.raised_at`,
          [raised.tradeId, raised.kind, raised.detail, new Date(services.now())],
        );
      }),
      consumer(TradeBooked, async (booked, context) => {
        const tx = transactionOf<SqlTransaction>(context);
        await tx.query(`delete from ${this.#table} where trade_id = $1`, [booked.tradeId]);
        await this.#decided(
          tx,
          booked.tradeId,
          'booked',
          booked.version,
          booked.postings.length,
          services.now(),
        );
      }),
      consumer(TradeCancellationCompleted, async (cancelled, context) => {
        const tx = transactionOf<SqlTransaction>(context);
        await tx.query(`delete from ${this.#table} where trade_id = $1`, [cancelled.tradeId]);
        await this.#decided(tx, cancelled.tradeId, 'cancelled', 0, cancelled.reversed, services.now());
      }),
    ];
  }

  async #decided(
    db: SqlExecutor,
    tradeId: string,
    outcome: 'booked' | 'cancelled',
    version: number,
    postings: number,
    now: number,
  ): Promise<void> {
    await db.query(
      `insert into ${this.#outcomes} (trade_id, outcome, version, postings, decided_at) values ($1, $2, $3, $4, $5)
       on conflict (trade_id) do update set outcome = excluded.outcome, version = excluded.version,
         postings = excluded.postings, decided_at = excluded.decided_at`,
      [tradeId, outcome, version, postings, new Date(now)],
    );
  }
}
