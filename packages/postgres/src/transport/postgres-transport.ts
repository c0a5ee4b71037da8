import type {
  ConsumeOptions,
  ConsumerHandle,
  Delivery,
  OutgoingMessage,
  SendOptions,
  Topology,
  TransactionalSends,
  Transport,
  TransportHealth,
  TransportMessage,
  TransportState,
} from '@switchyard/bus';
import pino, { type Logger } from 'pino';
import { defaultSchema } from '../migrations/switchyard-migrations.ts';
import { NoRouteError } from '../postgres-errors.ts';
import type { SqlClient, SqlExecutor, SqlTransaction } from '../sql/sql-client.ts';
import { deployTopology, endpointTopology, removeQueue } from '../topology/topology-tables.ts';
import { QueueConsumer } from './queue-consumer.ts';
import { QueueNotifier } from './queue-notifier.ts';
import { type TransportTables, transportTables } from './transport-tables.ts';

/** Options for the PostgreSQL transport. */
export interface PostgresTransportOptions {
  /** The schema Switchyard's migrations were applied to (default `switchyard`). */
  readonly schema?: string;
  /** Written into addresses (`postgres://<host>/<schema>/<queue>`); default `localhost`. */
  readonly host?: string;
  /** How long a delivered message stays with its consumer without a heartbeat (default 30 s). */
  readonly leaseMs?: number;
  /** The longest a consumer waits without a notification before looking again (default 1 s). */
  readonly pollIntervalMs?: number;
  /** A temporary queue whose consumer has not been seen for this long is removed (default 5 min). */
  readonly temporaryQueueExpiryMs?: number;
  readonly logger?: Logger;
}

/**
 * The PostgreSQL transport: exchanges, queues and bindings are rows, routing is a recursive query
 * over the bindings, and a message is a row in its queue until a consumer deletes it. Consumers claim
 * with SKIP LOCKED under a lease that a heartbeat renews, so a crashed consumer's messages return
 * when the lease runs out; LISTEN/NOTIFY wakes consumers at once. Runs on PostgreSQL and PGlite.
 */
export class PostgresTransport implements Transport, TransactionalSends<SqlTransaction> {
  readonly name = 'postgres';
  readonly #client: SqlClient;
  readonly #tables: TransportTables;
  readonly #options: PostgresTransportOptions;
  readonly #logger: Logger;
  readonly #addressPrefix: string;
  readonly #declared = new Set<string>();
  readonly #temporaryQueues = new Set<string>();
  readonly #consumers = new Set<QueueConsumer>();
  #state: TransportState = 'stopped';
  #detail: string | undefined;
  #unlisten: (() => Promise<void>) | undefined;
  readonly #notifier: QueueNotifier;
  #heartbeat: NodeJS.Timeout | undefined;

  constructor(client: SqlClient, options: PostgresTransportOptions = {}) {
    const schema = options.schema ?? defaultSchema;
    this.#client = client;
    this.#options = options;
    this.#tables = transportTables(schema);
    this.#logger = options.logger ?? pino({ enabled: false });
    this.#addressPrefix = `postgres://${options.host ?? 'localhost'}/${encodeURIComponent(schema)}/`;
    this.#notifier = new QueueNotifier(client, this.#tables.channel, this.#logger);
  }

  /** Wakes this process's consumers of `queue`. */
  #wake(queue: string): void {
    for (const consumer of this.#consumers) if (consumer.queue === queue) consumer.wake();
  }

  get #leaseMs(): number {
    return this.#options.leaseMs ?? 30_000;
  }

  async start(): Promise<void> {
    this.#state = 'connecting';
    await this.#client.query('select 1');
    this.#unlisten = await this.#client.listen(this.#tables.channel, (queue) => this.#wake(queue));
    // Renew leases well before they run out, and keep temporary queues alive.
    this.#heartbeat = setInterval(() => void this.#beat(), Math.max(50, Math.floor(this.#leaseMs / 3)));
    this.#heartbeat.unref();
    this.#state = 'connected';
  }

  async deploy(topology: Topology): Promise<void> {
    await deployTopology(this.#client, this.#tables, topology);
    this.#markDeclared(topology);
  }

  #markDeclared(topology: Topology): void {
    for (const queue of topology.queues) {
      this.#declared.add(`queue:${queue.name}`);
      if (queue.autoDelete) this.#temporaryQueues.add(queue.name);
    }
    for (const exchange of topology.exchanges) this.#declared.add(`exchange:${exchange.name}`);
  }

  async publish(exchange: string, message: TransportMessage): Promise<void> {
    // Not an error when nobody subscribes yet, as with a fanout exchange on a broker.
    this.#notifier.reached(await this.#route(this.#client, exchange, message, 0));
  }

  async send(queue: string, message: TransportMessage, options: SendOptions = {}): Promise<void> {
    if (!this.#declared.has(`queue:${queue}`)) await this.deploy(endpointTopology(queue));
    if (options.redelivery) {
      await this.#enqueueRedelivery(queue, message, options.delayMs ?? 0);
      this.#notifier.reached([queue]);
      return;
    }
    const reached = await this.#route(this.#client, queue, message, options.delayMs ?? 0);
    if (reached.length === 0) throw noRoute(queue, message);
    this.#notifier.reached(reached);
  }

  /**
   * Enqueues messages inside the caller's transaction on this transport's database (the transactional
   * middleware's `sends`): they are delivered when it commits, and gone if it rolls back. The returned
   * function, called after the commit, wakes their consumers.
   */
  async sendInTransaction(tx: SqlTransaction, messages: readonly OutgoingMessage[]): Promise<() => void> {
    const reached: string[] = [];
    const declared: Topology[] = [];
    for (const outgoing of messages) {
      const { destination, message } = outgoing;
      if (outgoing.kind === 'send' && !this.#declared.has(`queue:${destination}`)) {
        const topology = endpointTopology(destination);
        await deployTopology(tx, this.#tables, topology);
        declared.push(topology);
      }
      const queues = await this.#route(tx, destination, message, outgoing.delayMs ?? 0);
      if (outgoing.kind === 'send' && queues.length === 0) throw noRoute(destination, message);
      reached.push(...queues);
    }
    return () => {
      // What the transaction declared exists only now that it committed.
      for (const topology of declared) this.#markDeclared(topology);
      this.#notifier.reached(reached);
    };
  }

  async consume(
    queue: string,
    options: ConsumeOptions,
    onDelivery: (delivery: Delivery) => void,
  ): Promise<ConsumerHandle> {
    if (!this.#declared.has(`queue:${queue}`)) await this.#ensureQueueToConsume(queue);
    const consumer = new QueueConsumer(
      this.#client,
      this.#tables,
      queue,
      {
        prefetch: options.prefetch,
        leaseMs: this.#leaseMs,
        pollIntervalMs: this.#options.pollIntervalMs ?? 1_000,
      },
      onDelivery,
      {
        pollSucceeded: () => this.#pollSucceeded(),
        pollFailed: (error) => this.#pollFailed(error),
        // The same once-per-turn NOTIFY as for new messages, rather than one inside the update.
        returned: (queue) => this.#notifier.reached([queue]),
      },
      this.#logger,
    );
    this.#consumers.add(consumer);
    consumer.start();
    return {
      cancel: async () => {
        await consumer.stop();
        if (this.#temporaryQueues.has(queue)) {
          // A temporary queue lives as long as its consumer: it goes, with what it still holds.
          this.#consumers.delete(consumer);
          this.#temporaryQueues.delete(queue);
          this.#declared.delete(`queue:${queue}`);
          await removeQueue(this.#client, this.#tables, queue);
        } else if (consumer.holding === 0) {
          this.#consumers.delete(consumer);
        }
      },
    };
  }

  addressOf(entity: string): string {
    return `${this.#addressPrefix}${entity}`;
  }

  health(): TransportHealth {
    return this.#detail ? { state: this.#state, detail: this.#detail } : { state: this.#state };
  }

  async close(): Promise<void> {
    if (this.#state === 'closed') return;
    clearInterval(this.#heartbeat);
    const consumers = [...this.#consumers];
    this.#consumers.clear();
    await Promise.all(consumers.map((consumer) => consumer.stop()));
    for (const consumer of consumers) await consumer.releaseAll().catch(() => {});
    for (const queue of this.#temporaryQueues)
      await removeQueue(this.#client, this.#tables, queue).catch(() => {});
    this.#temporaryQueues.clear();
    await this.#unlisten?.().catch(() => {});
    this.#state = 'closed';
  }

  /**
   * Inserts the message into every queue the exchange reaches through its bindings (a recursive query;
   * UNION stops at cycles), on `executor`. Returns the queues it reached, for their consumers to be
   * told once the insert has committed.
   */
  async #route(
    executor: SqlExecutor,
    exchange: string,
    message: TransportMessage,
    delayMs: number,
  ): Promise<string[]> {
    const { rows } = await executor.query(
      `with recursive reach (name, kind) as (
         select $1::text, 'exchange'::text
         union
         select b.destination, b.destination_type
         from ${this.#tables.bindings} b join reach r on r.kind = 'exchange' and b.source = r.name
       ),
       inserted as (
         insert into ${this.#tables.messages}
           (queue, message_id, correlation_id, content_type, body, headers, visible_at)
         select q.name, $2, $3, $4, $5, $6::jsonb, now() + $7 * interval '1 millisecond'
         from reach join ${this.#tables.queues} q on q.name = reach.name and reach.kind = 'queue'
         returning queue
       )
       select distinct queue from inserted`,
      [
        exchange,
        message.messageId,
        message.correlationId ?? null,
        message.contentType,
        Buffer.from(message.body.buffer, message.body.byteOffset, message.body.byteLength),
        headersJson(message.headers),
        delayMs,
      ],
    );
    return rows.map((row) => String(row.queue));
  }

  /**
   * The bus's redelivery: straight into the queue itself (not through its exchange), with the queue
   * recorded in `redelivery_for`, a column only this statement writes, so the consumer can vouch for it.
   */
  async #enqueueRedelivery(queue: string, message: TransportMessage, delayMs: number): Promise<void> {
    const { rowCount } = await this.#client.query(
      `insert into ${this.#tables.messages}
         (queue, message_id, correlation_id, content_type, body, headers, visible_at, redelivery_for)
       select q.name, $2, $3, $4, $5, $6::jsonb, now() + $7 * interval '1 millisecond', q.name
       from ${this.#tables.queues} q where q.name = $1`,
      [
        queue,
        message.messageId,
        message.correlationId ?? null,
        message.contentType,
        Buffer.from(message.body.buffer, message.body.byteOffset, message.body.byteLength),
        headersJson(message.headers),
        delayMs,
      ],
    );
    if (rowCount === 0) throw noRoute(queue, message);
  }

  /** A queue someone else declared is consumed as it is; a missing one is declared as an endpoint queue. */
  async #ensureQueueToConsume(queue: string): Promise<void> {
    const { rows } = await this.#client.query(`select 1 from ${this.#tables.queues} where name = $1`, [
      queue,
    ]);
    if (rows.length > 0) this.#declared.add(`queue:${queue}`);
    else await this.deploy(endpointTopology(queue));
  }

  async #beat(): Promise<void> {
    // A cancelled consumer stays only while deliveries it handed out are unsettled: their leases need renewing.
    for (const consumer of this.#consumers) {
      if (consumer.stopped && consumer.holding === 0) this.#consumers.delete(consumer);
    }
    try {
      const owners = [...this.#consumers].filter((each) => each.holding > 0).map((each) => each.owner);
      if (owners.length > 0) {
        await this.#client.query(
          `update ${this.#tables.messages} set lease_until = now() + $2 * interval '1 millisecond'
           where lease_owner = any($1::uuid[])`,
          [owners, this.#leaseMs],
        );
      }
      await this.#client.query(
        `update ${this.#tables.queues} set last_seen_at = now() where name = any($1::text[])`,
        [[...this.#temporaryQueues]],
      );
      await this.#removeAbandonedTemporaryQueues();
    } catch (error) {
      this.#logger.warn({ err: error }, 'Transport heartbeat failed; leases may run out');
    }
  }

  /** Temporary queues of processes that died without closing (a requester's response queue). */
  async #removeAbandonedTemporaryQueues(): Promise<void> {
    const { rows } = await this.#client.query(
      `select name from ${this.#tables.queues}
       where auto_delete and last_seen_at < now() - $1 * interval '1 millisecond'`,
      [this.#options.temporaryQueueExpiryMs ?? 300_000],
    );
    for (const row of rows) await removeQueue(this.#client, this.#tables, String(row.name));
  }

  #pollSucceeded(): void {
    if (this.#state === 'reconnecting') {
      this.#state = 'connected';
      this.#detail = undefined;
      this.#logger.info('PostgreSQL transport reconnected');
    }
  }

  #pollFailed(error: unknown): void {
    if (this.#state !== 'connected') return;
    this.#state = 'reconnecting';
    this.#detail = error instanceof Error ? error.message : String(error);
  }
}

/**
 * Headers as jsonb takes them. jsonb cannot hold the NUL character, and an error message quoting a
 * body that has one (a decode failure) would make the move to the error queue fail on every delivery;
 * NUL becomes U+FFFD instead; an escaped backslash followed by the text "u0000" is left alone.
 */
function headersJson(headers: TransportMessage['headers']): string {
  return JSON.stringify(headers).replace(/(?<!\\)((?:\\\\)*)\\u0000/g, '$1\\ufffd');
}

function noRoute(queue: string, message: TransportMessage): NoRouteError {
  return new NoRouteError(
    `Message ${message.messageId} sent to "${queue}" reached no queue: nothing is bound to exchange "${queue}"`,
  );
}
