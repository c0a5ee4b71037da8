import { column, defaultSchema, PostgresTransport, qualified, type SqlClient } from '@switchyard/postgres';
import type { CaptureStore } from '../store/capture-store.ts';
import type { CaptureOptions } from './capture-options.ts';
import { type CaptureQueueAccess, TransportCapture } from './transport-capture.ts';

/** Options for a tap on an environment that runs on the PostgreSQL transport. */
export interface PostgresTransportCaptureOptions extends CaptureOptions {
  /** The schema the environment's transport tables live in (default `switchyard`). */
  readonly transportSchema?: string;
  /** How often the tap looks for messages without a notification (default 1 s). */
  readonly pollIntervalMs?: number;
}

/**
 * A tap on an environment that runs on the PostgreSQL transport: its capture queue is a row in the
 * transport's queues, bound to the chosen exchanges like any endpoint, so routing copies each message
 * into it beside the environment's own queues, which are left as they were.
 */
export class PostgresTransportCapture extends TransportCapture {
  /** `environment` is the environment's database; `store` may live in the same one or another. */
  constructor(environment: SqlClient, store: CaptureStore, options: PostgresTransportCaptureOptions) {
    const schema = options.transportSchema ?? defaultSchema;
    super(
      new PostgresTransport(environment, {
        schema,
        ...(options.pollIntervalMs === undefined ? {} : { pollIntervalMs: options.pollIntervalMs }),
        ...(options.logger ? { logger: options.logger } : {}),
      }),
      new TransportTableAccess(environment, schema),
      store,
      options,
    );
  }
}

/** Depth and removal on the transport's tables; the transport itself has no verb for either. */
class TransportTableAccess implements CaptureQueueAccess {
  readonly #client: SqlClient;
  readonly #messages: string;
  readonly #bindings: string;
  readonly #queues: string;

  constructor(client: SqlClient, schema: string) {
    this.#client = client;
    this.#messages = qualified(schema, 'yard_messages');
    this.#bindings = qualified(schema, 'yard_bindings');
    this.#queues = qualified(schema, 'yard_queues');
  }

  async depth(queue: string): Promise<number> {
    const { rows } = await this.#client.query(
      `select count(*) as depth from ${this.#messages} where queue = $1`,
      [queue],
    );
    return column.integer(rows[0] ?? {}, 'depth');
  }

  async remove(queue: string): Promise<void> {
    await this.#client.transaction(async (tx) => {
      await tx.query(`delete from ${this.#messages} where queue = $1`, [queue]);
      await tx.query(`delete from ${this.#bindings} where destination = $1 and destination_type = 'queue'`, [
        queue,
      ]);
      await tx.query(`delete from ${this.#queues} where name = $1`, [queue]);
    });
  }

  async close(): Promise<void> {}
}
