import { randomUUID } from 'node:crypto';
import type { Delivery, HeaderValue, TransportMessage } from '@switchyard/bus';
import type { Logger } from 'pino';
import { transportMessageFromRow } from '../messages/message-rows.ts';
import { BatchedStatement } from '../sql/batched-statement.ts';
import { column } from '../sql/row-values.ts';
import type { Row, SqlClient } from '../sql/sql-client.ts';
import type { TransportTables } from './transport-tables.ts';
import { WakeSignal } from './wake-signal.ts';

/** How a consumer polls and holds messages. */
export interface QueueConsumerSettings {
  readonly prefetch: number;
  /** How long a claimed message stays with this consumer without a heartbeat renewing it. */
  readonly leaseMs: number;
  /** The longest the consumer sleeps without a notification (crashed consumers' leases, delays). */
  readonly pollIntervalMs: number;
}

/** What a consumer tells its transport: how each poll went, and messages it gave back to the queue. */
export interface ConsumerEvents {
  pollSucceeded(): void;
  pollFailed(error: unknown): void;
  /** Messages went back to `queue`; its consumers, here and elsewhere, should look again. */
  returned(queue: string): void;
}

/**
 * One consumer of one queue: claims up to `prefetch` visible messages with SKIP LOCKED under a lease
 * owned by this consumer, hands them out, and deletes (ack) or releases (requeue) each. It sleeps
 * until a NOTIFY for its queue, a settled delivery frees capacity, or the poll interval passes.
 */
export class QueueConsumer {
  readonly queue: string;
  /** Owns the leases of the messages this consumer holds; only the owner may settle them. */
  readonly owner = randomUUID();
  readonly #client: SqlClient;
  readonly #tables: TransportTables;
  readonly #settings: QueueConsumerSettings;
  readonly #onDelivery: (delivery: Delivery) => void;
  readonly #events: ConsumerEvents;
  readonly #logger: Logger;
  readonly #signal = new WakeSignal();
  readonly #held = new Set<number>();
  readonly #acks: BatchedStatement<number>;
  #stopped = false;
  #loop: Promise<void> | undefined;

  constructor(
    client: SqlClient,
    tables: TransportTables,
    queue: string,
    settings: QueueConsumerSettings,
    onDelivery: (delivery: Delivery) => void,
    events: ConsumerEvents,
    logger: Logger,
  ) {
    this.#client = client;
    this.#tables = tables;
    this.queue = queue;
    this.#settings = settings;
    this.#onDelivery = onDelivery;
    this.#events = events;
    this.#logger = logger;
    this.#acks = new BatchedStatement((ids) =>
      client
        .query(`delete from ${tables.messages} where id = any($1::bigint[]) and lease_owner = $2`, [
          ids,
          this.owner,
        ])
        .then(() => {}),
    );
  }

  start(): void {
    this.#loop = this.#run();
  }

  /** Something arrived in the queue (a NOTIFY): look now. */
  wake(): void {
    this.#signal.notify();
  }

  /** True once cancelled: it claims nothing more, though deliveries it handed out may still settle. */
  get stopped(): boolean {
    return this.#stopped;
  }

  get holding(): number {
    return this.#held.size;
  }

  /** Stops claiming; deliveries already handed out can still be settled. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#signal.notify();
    await this.#loop;
  }

  async #run(): Promise<void> {
    let failures = 0;
    while (!this.#stopped) {
      let sleepMs = this.#settings.pollIntervalMs;
      try {
        const capacity = this.#settings.prefetch - this.#held.size;
        if (capacity > 0) {
          const claimed = await this.#claim(capacity);
          if (this.#stopped) {
            // Claimed but never handed out: these deliveries do not count.
            await this.#release(
              claimed.map((row) => column.integer(row, 'id')),
              'uncounted',
            );
            return;
          }
          for (const row of claimed) this.#deliver(row);
          // A full batch means more may be waiting: claim again as soon as there is room.
          if (claimed.length === capacity) sleepMs = 0;
          else sleepMs = await this.#untilNextVisible(sleepMs);
        }
        this.#events.pollSucceeded();
        failures = 0;
      } catch (error) {
        failures += 1;
        this.#events.pollFailed(error);
        this.#logger.warn({ err: error, queue: this.queue, failures }, 'Polling the queue failed; retrying');
        sleepMs = Math.min(5_000, 100 * 2 ** Math.min(failures, 6));
      }
      if (sleepMs > 0 || this.#held.size >= this.#settings.prefetch)
        await this.#signal.sleep(sleepMs || this.#settings.pollIntervalMs);
    }
  }

  async #claim(limit: number): Promise<Row[]> {
    const { rows } = await this.#client.query(
      `with next as (
         select id from ${this.#tables.messages}
         where queue = $1 and visible_at <= now() and (lease_until is null or lease_until <= now())
         order by id
         limit $2
         for update skip locked
       )
       update ${this.#tables.messages} as m
       set lease_until = now() + $3 * interval '1 millisecond', lease_owner = $4,
           delivery_count = m.delivery_count + 1
       from next where m.id = next.id
       returning m.id, m.message_id, m.correlation_id, m.content_type, m.body, m.headers, m.delivery_count,
                 m.requeue_count, m.redelivery_for`,
      [this.queue, limit, this.#settings.leaseMs, this.owner],
    );
    return rows.sort((a, b) => column.integer(a, 'id') - column.integer(b, 'id'));
  }

  /** How long to sleep when the queue ran dry: until the next delayed message is due, at most `maxMs`. */
  async #untilNextVisible(maxMs: number): Promise<number> {
    const { rows } = await this.#client.query(
      `select ceil(extract(epoch from min(visible_at) - now()) * 1000)::integer as wait_ms
       from ${this.#tables.messages} where queue = $1 and visible_at > now()`,
      [this.queue],
    );
    const waitMs = rows[0] ? column.optionalInteger(rows[0], 'wait_ms') : undefined;
    return waitMs === undefined ? maxMs : Math.max(1, Math.min(maxMs, waitMs));
  }

  #deliver(row: Row): void {
    const id = column.integer(row, 'id');
    this.#held.add(id);
    let settled = false;
    const settle = async (how: 'ack' | 'requeue') => {
      if (settled)
        throw new Error(`Delivery of message ${column.text(row, 'message_id')} was already settled`);
      settled = true;
      try {
        if (how === 'ack') await this.#acks.add(id);
        else await this.#release([id], 'uncounted');
      } finally {
        this.#held.delete(id);
        this.#signal.notify();
      }
    };
    const deliveries = column.integer(row, 'delivery_count');
    this.#onDelivery({
      queue: this.queue,
      message: messageOf(row),
      redelivered: deliveries > 1,
      // Only the transport's redelivery send writes this column: no header can set it.
      viaOwnRedelivery: row.redelivery_for === this.queue,
      deliveryCount: deliveries - column.integer(row, 'requeue_count'),
      ack: () => settle('ack'),
      requeue: () => settle('requeue'),
    });
  }

  /**
   * Gives messages back to the queue at once and has every consumer of it told. A requeue settles the
   * delivery, so it is taken off the count; a delivery abandoned at close stays counted, as a crash does.
   */
  async #release(ids: readonly number[], count: 'uncounted' | 'counted'): Promise<void> {
    if (ids.length === 0) return;
    const { rowCount } = await this.#client.query(
      `update ${this.#tables.messages}
       set lease_until = null, lease_owner = null,
           requeue_count = case when $3 then requeue_count + 1 else requeue_count end
       where id = any($1::bigint[]) and lease_owner = $2`,
      [ids, this.owner, count === 'uncounted'],
    );
    if (rowCount > 0) this.#events.returned(this.queue);
  }

  /** Returns everything this consumer still holds to the queue (the transport is closing). */
  async releaseAll(): Promise<void> {
    await this.#release([...this.#held], 'counted');
    this.#held.clear();
  }
}

/**
 * The row as a transport message. Headers a producer wrote with nested values are flattened to text
 * rather than refused: a refused row would stay claimed, its lease renewed, and never be delivered.
 */
function messageOf(row: Row): TransportMessage {
  try {
    return transportMessageFromRow(row);
  } catch (error) {
    const headers = row.headers;
    if (typeof headers !== 'object' || headers === null || Array.isArray(headers)) throw error;
    const flat: Record<string, HeaderValue> = {};
    for (const [name, value] of Object.entries(headers)) {
      const scalar =
        value === null || ['string', 'number', 'boolean'].includes(typeof value)
          ? (value as HeaderValue)
          : JSON.stringify(value);
      Object.defineProperty(flat, name, {
        value: scalar,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return transportMessageFromRow({ ...row, headers: flat });
  }
}
