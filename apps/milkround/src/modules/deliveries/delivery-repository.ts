import { column, qualified, type Row, RowShapeError, type SqlExecutor } from '@switchyard/postgres';
import { z } from 'zod';
import { Region } from '../memberships/contracts.ts';
import { type DueOrder, OrderLine } from '../orders/contracts.ts';
import type { ExistingRound, NewStop, RoundPlan } from './plan-rounds.ts';

/** How a run came about. */
export type RunSource = 'request' | 'nightly' | 'orders';

/** A run as the module recorded it. */
export interface RunRecord {
  readonly runId: string;
  readonly deliveryDate: string;
  /** Null: every region. */
  readonly regions: readonly Region[] | null;
  readonly source: RunSource;
  readonly requestedAt: Date;
  readonly plannedAt: Date | undefined;
  readonly deliveries: number | undefined;
  readonly rounds: number | undefined;
}

/** One stop of a round. */
export interface RoundStop {
  readonly deliveryId: string;
  readonly stop: number;
  readonly customerId: string;
  readonly postcode: string;
  readonly lines: readonly OrderLine[];
}

/** A round of a date with its stops in order. */
export interface RoundRecord {
  readonly roundId: string;
  readonly region: Region;
  readonly area: string;
  readonly number: number;
  readonly stops: RoundStop[];
}

/** A delivery with its round. */
export interface DeliveryRecord {
  readonly deliveryId: string;
  readonly deliveryDate: string;
  readonly customerId: string;
  readonly region: Region;
  readonly postcode: string;
  readonly lines: readonly OrderLine[];
  readonly orderIds: readonly string[];
  readonly runId: string;
  readonly round:
    | { readonly roundId: string; readonly area: string; readonly number: number; readonly stop: number }
    | undefined;
}

const linesSchema = z.array(OrderLine).min(1);
const orderIdsSchema = z.array(z.string());

/** The deliveries module's tables: every statement it runs on them, and rows parsed into values. */
export class DeliveryRepository {
  readonly #runs: string;
  readonly #rounds: string;
  readonly #deliveries: string;

  constructor(schema: string) {
    this.#runs = qualified(schema, 'runs');
    this.#rounds = qualified(schema, 'rounds');
    this.#deliveries = qualified(schema, 'deliveries');
  }

  /** Records a run once; a redelivered start finds it there and changes nothing. */
  async recordRun(
    db: SqlExecutor,
    run: {
      runId: string;
      deliveryDate: string;
      regions: readonly Region[] | null;
      source: RunSource;
      requestedAt: Date;
    },
  ): Promise<void> {
    await db.query(
      `insert into ${this.#runs} (run_id, delivery_date, regions, source, requested_at)
       values ($1, $2, $3, $4, $5)
       on conflict (run_id) do nothing`,
      [run.runId, run.deliveryDate, run.regions, run.source, run.requestedAt],
    );
  }

  async findRun(db: SqlExecutor, runId: string): Promise<RunRecord | undefined> {
    const { rows } = await db.query(
      `select run_id, delivery_date::text as delivery_date, regions, source, requested_at, planned_at, deliveries, rounds
       from ${this.#runs} where run_id = $1`,
      [runId],
    );
    return rows[0] ? runFromRow(rows[0]) : undefined;
  }

  async runsOfDate(db: SqlExecutor, deliveryDate: string): Promise<RunRecord[]> {
    const { rows } = await db.query(
      `select run_id, delivery_date::text as delivery_date, regions, source, requested_at, planned_at, deliveries, rounds
       from ${this.#runs} where delivery_date = $1 order by requested_at, run_id`,
      [deliveryDate],
    );
    return rows.map(runFromRow);
  }

  /** Makes planners of one date take turns until commit, so two runs never lay out the same round at once. */
  async lockDate(db: SqlExecutor, deliveryDate: string): Promise<void> {
    await db.query('select pg_advisory_xact_lock(hashtextextended($1, 0))', [
      `milkround.deliveries.plan:${deliveryDate}`,
    ]);
  }

  /**
   * Inserts a delivery per due order, skipping customers the date already has one for (the unique
   * constraint decides, so a second run of a date creates nothing); returns the ones it inserted.
   */
  async insertDeliveries(
    db: SqlExecutor,
    deliveryDate: string,
    runId: string,
    createdAt: Date,
    orders: readonly (DueOrder & { deliveryId: string })[],
  ): Promise<(NewStop & { lines: OrderLine[] })[]> {
    const { rows } = await db.query(
      `insert into ${this.#deliveries}
         (delivery_id, delivery_date, customer_id, region, postcode, lines, order_ids, run_id, created_at)
       select due.delivery_id, $1, due.customer_id, due.region, due.postcode, due.lines, due.order_ids, $2, $3
       from jsonb_to_recordset($4::jsonb)
         as due (delivery_id text, customer_id text, region text, postcode text, lines jsonb, order_ids jsonb)
       on conflict (delivery_date, customer_id) do nothing
       returning delivery_id, customer_id, region, postcode, lines`,
      [
        deliveryDate,
        runId,
        createdAt,
        JSON.stringify(
          orders.map((order) => ({
            delivery_id: order.deliveryId,
            customer_id: order.customerId,
            region: order.region,
            postcode: order.postcode,
            lines: order.lines,
            order_ids: order.orderIds,
          })),
        ),
      ],
    );
    return rows.map((row) => ({
      deliveryId: column.text(row, 'delivery_id'),
      customerId: column.text(row, 'customer_id'),
      region: regionOf(row),
      postcode: column.text(row, 'postcode'),
      lines: linesOf(row),
    }));
  }

  /** The date's rounds, each with the number of its last stop. */
  async existingRounds(db: SqlExecutor, deliveryDate: string): Promise<ExistingRound[]> {
    const { rows } = await db.query(
      `select r.round_id, r.region, r.area, r.number, coalesce(max(d.stop), 0) as stops
       from ${this.#rounds} r left join ${this.#deliveries} d on d.round_id = r.round_id
       where r.delivery_date = $1
       group by r.round_id, r.region, r.area, r.number`,
      [deliveryDate],
    );
    return rows.map((row) => ({
      roundId: column.text(row, 'round_id'),
      region: regionOf(row),
      area: column.text(row, 'area'),
      number: column.integer(row, 'number'),
      stops: column.integer(row, 'stops'),
    }));
  }

  /** Creates the plan's new rounds and puts each new delivery on its round. */
  async saveRoundPlan(db: SqlExecutor, deliveryDate: string, plan: RoundPlan): Promise<void> {
    if (plan.newRounds.length > 0) {
      await db.query(
        `insert into ${this.#rounds} (round_id, delivery_date, region, area, number)
         select round.round_id, $1, round.region, round.area, round.number
         from jsonb_to_recordset($2::jsonb) as round (round_id text, region text, area text, number integer)`,
        [
          deliveryDate,
          JSON.stringify(
            plan.newRounds.map((round) => ({
              round_id: round.roundId,
              region: round.region,
              area: round.area,
              number: round.number,
            })),
          ),
        ],
      );
    }
    if (plan.assignments.length > 0) {
      await db.query(
        `update ${this.#deliveries} as delivery
         set round_id = assigned.round_id, stop = assigned.stop
         from jsonb_to_recordset($1::jsonb) as assigned (delivery_id text, round_id text, stop integer)
         where delivery.delivery_id = assigned.delivery_id`,
        [
          JSON.stringify(
            plan.assignments.map((each) => ({
              delivery_id: each.deliveryId,
              round_id: each.roundId,
              stop: each.stop,
            })),
          ),
        ],
      );
    }
  }

  /** How many deliveries and rounds the date's plan holds in `regions` (null: all). */
  async planSize(
    db: SqlExecutor,
    deliveryDate: string,
    regions: readonly Region[] | null,
  ): Promise<{ deliveries: number; rounds: number }> {
    const { rows } = await db.query(
      `select
         (select count(*) from ${this.#deliveries}
          where delivery_date = $1 and ($2::text[] is null or region = any($2))) as deliveries,
         (select count(*) from ${this.#rounds}
          where delivery_date = $1 and ($2::text[] is null or region = any($2))) as rounds`,
      [deliveryDate, regions],
    );
    const row = rows[0] as Row;
    return { deliveries: column.integer(row, 'deliveries'), rounds: column.integer(row, 'rounds') };
  }

  async markRunPlanned(
    db: SqlExecutor,
    runId: string,
    plannedAt: Date,
    size: { deliveries: number; rounds: number },
  ): Promise<void> {
    await db.query(
      `update ${this.#runs} set planned_at = $2, deliveries = $3, rounds = $4 where run_id = $1`,
      [runId, plannedAt, size.deliveries, size.rounds],
    );
  }

  /** The date's rounds in order, each with its stops in order. */
  async roundsOfDate(db: SqlExecutor, deliveryDate: string): Promise<RoundRecord[]> {
    const { rows } = await db.query(
      `select r.round_id, r.region, r.area, r.number, d.delivery_id, d.stop, d.customer_id, d.postcode, d.lines
       from ${this.#rounds} r join ${this.#deliveries} d on d.round_id = r.round_id
       where r.delivery_date = $1
       order by r.region, r.area, r.number, d.stop`,
      [deliveryDate],
    );
    const rounds: RoundRecord[] = [];
    for (const row of rows) {
      const roundId = column.text(row, 'round_id');
      let round = rounds.at(-1);
      if (round?.roundId !== roundId) {
        round = {
          roundId,
          region: regionOf(row),
          area: column.text(row, 'area'),
          number: column.integer(row, 'number'),
          stops: [],
        };
        rounds.push(round);
      }
      round.stops.push({
        deliveryId: column.text(row, 'delivery_id'),
        stop: column.integer(row, 'stop'),
        customerId: column.text(row, 'customer_id'),
        postcode: column.text(row, 'postcode'),
        lines: linesOf(row),
      });
    }
    return rounds;
  }

  async findDelivery(db: SqlExecutor, deliveryId: string): Promise<DeliveryRecord | undefined> {
    const { rows } = await db.query(
      `select d.delivery_id, d.delivery_date::text as delivery_date, d.customer_id, d.region, d.postcode,
              d.lines, d.order_ids, d.run_id, d.round_id, d.stop, r.area, r.number
       from ${this.#deliveries} d left join ${this.#rounds} r on r.round_id = d.round_id
       where d.delivery_id = $1`,
      [deliveryId],
    );
    const row = rows[0];
    if (!row) return undefined;
    const roundId = column.optionalText(row, 'round_id');
    const orderIds = orderIdsSchema.safeParse(column.json(row, 'order_ids'));
    if (!orderIds.success) throw new RowShapeError('order_ids', 'a JSON array of order ids', row.order_ids);
    return {
      deliveryId: column.text(row, 'delivery_id'),
      deliveryDate: column.text(row, 'delivery_date'),
      customerId: column.text(row, 'customer_id'),
      region: regionOf(row),
      postcode: column.text(row, 'postcode'),
      lines: linesOf(row),
      orderIds: orderIds.data,
      runId: column.text(row, 'run_id'),
      round:
        roundId === undefined
          ? undefined
          : {
              roundId,
              area: column.text(row, 'area'),
              number: column.integer(row, 'number'),
              stop: column.integer(row, 'stop'),
            },
    };
  }
}

function runFromRow(row: Row): RunRecord {
  const regions = row.regions;
  if (
    regions !== null &&
    !(Array.isArray(regions) && regions.every((each) => Region.safeParse(each).success))
  ) {
    throw new RowShapeError('regions', 'null or an array of regions (UK, US)', regions);
  }
  const source = column.text(row, 'source');
  if (source !== 'request' && source !== 'nightly' && source !== 'orders') {
    throw new RowShapeError('source', 'request, nightly or orders', source);
  }
  return {
    runId: column.text(row, 'run_id'),
    deliveryDate: column.text(row, 'delivery_date'),
    regions: regions as Region[] | null,
    source,
    requestedAt: column.timestamp(row, 'requested_at'),
    plannedAt: column.optionalTimestamp(row, 'planned_at'),
    deliveries: column.optionalInteger(row, 'deliveries'),
    rounds: column.optionalInteger(row, 'rounds'),
  };
}

function regionOf(row: Row): Region {
  const region = Region.safeParse(column.text(row, 'region'));
  if (!region.success) throw new RowShapeError('region', 'UK or US', row.region);
  return region.data;
}

function linesOf(row: Row): OrderLine[] {
  const lines = linesSchema.safeParse(column.json(row, 'lines'));
  if (!lines.success) throw new RowShapeError('lines', 'a JSON array of order lines', row.lines);
  return lines.data;
}
