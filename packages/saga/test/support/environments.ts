import { after } from 'node:test';
import {
  type BusService,
  type Inbox,
  MemoryDatabase,
  MemoryInbox,
  MemoryOutbox,
  MemorySagaStore,
  MemoryScheduler,
  MemoryTransport,
  OutboxDispatcher,
  type SagaStore,
  type Scheduler,
  type TransactionalOptions,
  type TransactionRunner,
  type Transport,
} from '@switchyard/bus';
import {
  connectPostgres,
  migrate,
  openPglite,
  PostgresInbox,
  PostgresOutbox,
  PostgresSagaStore,
  PostgresScheduler,
  PostgresTransport,
  type SqlClient,
  switchyardMigrations,
} from '@switchyard/postgres';
import { RabbitMqTransport } from '@switchyard/rabbitmq';
import { postgresForTests, rabbitmqForTests } from '@switchyard/testing';
import amqp from 'amqplib';

/** Everything a saga endpoint and its bus need, on one of the environments the saga runs on. */
export interface SagaSetup<Tx> {
  readonly transport: Transport;
  readonly transactions: TransactionRunner<Tx>;
  readonly store: SagaStore<Tx>;
  readonly inbox: Inbox<Tx>;
  readonly scheduler: Scheduler<Tx>;
  /** How a consumer's messages leave: the outbox and its dispatcher, or sends in the transaction. */
  readonly delivery: TransactionalOptions<Tx>;
  /** Services the bus runs (the outbox dispatcher). */
  readonly services: readonly BusService[];
  /** How many messages wait in `queue` now (the error queue, in these tests). */
  queueDepth(queue: string): Promise<number>;
  dispose(): Promise<void>;
}

/** An environment the same saga tests run on. */
export interface SagaEnvironment {
  readonly name: string;
  /** False when the tests run; otherwise why they are skipped. */
  readonly skip: string | false;
  // biome-ignore lint/suspicious/noExplicitAny: each environment has its own transaction type
  create(): Promise<SagaSetup<any>>;
}

let counter = 0;

/** In memory; PostgreSQL with RabbitMQ; PGlite with the PostgreSQL transport. Call at the top of a test file. */
export async function sagaEnvironments(): Promise<SagaEnvironment[]> {
  const postgres = await postgresForTests();
  const rabbitmq = await rabbitmqForTests();
  let pglite: Promise<SqlClient> | undefined;
  after(async () => {
    await (await pglite)?.close();
  });
  return [
    { name: 'in memory', skip: false, create: async () => memorySetup() },
    {
      name: 'PostgreSQL + RabbitMQ',
      skip: postgres.skip || rabbitmq.skip,
      async create() {
        const schema = await postgres.createSchema();
        const vhost = await rabbitmq.createVhost();
        const client = connectPostgres({ url: schema.url, maxConnections: 8 });
        await migrate(client, await switchyardMigrations(schema.name));
        const transport = new RabbitMqTransport({ url: vhost.url });
        const outbox = new PostgresOutbox(client, { schema: schema.name });
        const dispatcher = new OutboxDispatcher({ outbox, transport, sweepIntervalMs: 100 });
        return {
          transport,
          transactions: client,
          store: new PostgresSagaStore(client, { schema: schema.name }),
          inbox: new PostgresInbox(client, { schema: schema.name }),
          scheduler: new PostgresScheduler(client, { schema: schema.name, pollIntervalMs: 100 }),
          delivery: { transactions: client, outbox, dispatcher },
          services: [dispatcher],
          async queueDepth(queue) {
            const connection = await amqp.connect(vhost.url);
            try {
              const channel = await connection.createChannel();
              return (await channel.checkQueue(queue)).messageCount;
            } finally {
              await connection.close();
            }
          },
          async dispose() {
            await client.close();
            await vhost.delete();
            await schema.drop();
          },
        };
      },
    },
    {
      name: 'PGlite + PostgreSQL transport',
      skip: false,
      async create() {
        pglite ??= openPglite();
        const client = await pglite;
        const schema = `saga_pglite_${process.pid}_${++counter}`;
        await migrate(client, await switchyardMigrations(schema));
        const transport = new PostgresTransport(client, { schema, pollIntervalMs: 100 });
        return {
          transport,
          transactions: client,
          store: new PostgresSagaStore(client, { schema }),
          inbox: new PostgresInbox(client, { schema }),
          scheduler: new PostgresScheduler(client, { schema, pollIntervalMs: 100 }),
          delivery: { transactions: client, sends: transport },
          services: [],
          async queueDepth(queue) {
            const { rows } = await client.query(
              `select count(*)::int as depth from ${schema}.yard_messages where queue = $1`,
              [queue],
            );
            return Number(rows[0]?.depth ?? 0);
          },
          async dispose() {
            await client.exec(`drop schema if exists ${schema} cascade`);
          },
        };
      },
    },
  ];
}

function memorySetup(): SagaSetup<unknown> {
  const database = new MemoryDatabase();
  const transport = new MemoryTransport();
  const outbox = new MemoryOutbox(database);
  const dispatcher = new OutboxDispatcher({ outbox, transport, sweepIntervalMs: 50 });
  return {
    transport,
    transactions: database,
    store: new MemorySagaStore(database),
    inbox: new MemoryInbox(database),
    scheduler: new MemoryScheduler(database, { pollIntervalMs: 50 }),
    delivery: { transactions: database, outbox, dispatcher },
    services: [dispatcher],
    queueDepth: async (queue) => transport.broker.queue(queue)?.peek().length ?? 0,
    dispose: async () => {},
  } as SagaSetup<unknown>;
}
