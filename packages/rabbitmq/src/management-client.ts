import { redactUrl } from '@switchyard/bus';
import { parseBrokerUrl } from './broker-url.ts';
import { ManagementApiError, ManagementApiUnreachableError } from './rabbitmq-errors.ts';

/** An exchange as the management API reports it. */
export interface LiveExchange {
  readonly name: string;
  readonly type: string;
  readonly durable: boolean;
  readonly auto_delete: boolean;
}

/** A queue as the management API reports it, with its depth and consumers. */
export interface LiveQueue {
  readonly name: string;
  readonly durable: boolean;
  readonly auto_delete: boolean;
  readonly arguments: Record<string, unknown>;
  readonly type?: string;
  readonly messages?: number;
  readonly messages_ready?: number;
  readonly messages_unacknowledged?: number;
  readonly consumers?: number;
  readonly message_stats?: {
    readonly publish_details?: { readonly rate: number };
    readonly deliver_get_details?: { readonly rate: number };
    readonly ack_details?: { readonly rate: number };
  };
}

/** A binding as the management API reports it. */
export interface LiveBinding {
  readonly source: string;
  readonly destination: string;
  readonly destination_type: 'exchange' | 'queue';
  readonly routing_key: string;
}

/** What the broker holds in one vhost. */
export interface LiveTopology {
  readonly exchanges: readonly LiveExchange[];
  readonly queues: readonly LiveQueue[];
  readonly bindings: readonly LiveBinding[];
}

/** The RabbitMQ management HTTP API, for the few reads the deployer and metrics need. */
export class ManagementClient {
  readonly #base: string;
  readonly #authorization: string;
  readonly #vhost: string;
  readonly #printable: string;

  /** `managementUrl` like `http://guest:guest@127.0.0.1:15672`; `vhost` as in the AMQP URL ("/" by default). */
  constructor(managementUrl: string, vhost: string) {
    const url = parseBrokerUrl(managementUrl, 'RabbitMQ management URL');
    this.#authorization = `Basic ${Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64')}`;
    this.#printable = redactUrl(managementUrl);
    this.#base = url.origin;
    this.#vhost = encodeURIComponent(vhost);
  }

  /** The management URL for an AMQP URL: same host and credentials, port 15672. */
  static forAmqpUrl(amqpUrl: string): ManagementClient {
    const amqp = parseBrokerUrl(amqpUrl);
    const management = new URL(`http://${amqp.hostname}:15672`);
    management.username = amqp.username || 'guest';
    management.password = amqp.password || 'guest';
    return new ManagementClient(management.toString(), vhostOf(amqpUrl));
  }

  async topology(): Promise<LiveTopology> {
    const [exchanges, queues, bindings] = await Promise.all([
      this.#get<LiveExchange[]>(`/api/exchanges/${this.#vhost}`),
      this.#get<LiveQueue[]>(`/api/queues/${this.#vhost}`),
      this.#get<LiveBinding[]>(`/api/bindings/${this.#vhost}`),
    ]);
    return {
      // The default exchange ("") and the broker's own amq.* exchanges are not ours to manage.
      exchanges: exchanges.filter((exchange) => exchange.name !== '' && !exchange.name.startsWith('amq.')),
      queues,
      bindings: bindings.filter((binding) => binding.source !== ''),
    };
  }

  async queues(): Promise<LiveQueue[]> {
    return this.#get<LiveQueue[]>(`/api/queues/${this.#vhost}`);
  }

  /** The vhost as it goes in API paths (percent-encoded, "/" as %2F). */
  get vhostPath(): string {
    return this.#vhost;
  }

  /**
   * Any call of the management API, for tools that change what the deployer does not (policies,
   * bindings with arguments): `path` like `/api/policies/${vhostPath}/name`, each part percent-encoded.
   * Answers the parsed JSON, or undefined for an empty answer (204, 201 without a body).
   */
  async request<T>(method: 'GET' | 'PUT' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<T> {
    return this.#call<T>(method, path, body);
  }

  async #get<T>(path: string): Promise<T> {
    return this.#call<T>('GET', path, undefined);
  }

  async #call<T>(method: string, path: string, body: unknown): Promise<T> {
    let response: Response;
    try {
      response = await fetch(`${this.#base}${path}`, {
        method,
        headers: {
          authorization: this.#authorization,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(10_000),
      });
    } catch (error) {
      throw new ManagementApiUnreachableError(
        `RabbitMQ management API at ${this.#printable} did not answer (${(error as Error).message}); is the rabbitmq_management plugin enabled?`,
        { cause: error },
      );
    }
    if (!response.ok) {
      throw new ManagementApiError(
        `RabbitMQ management API ${method} ${path} answered ${response.status}: ${await response.text()}`,
        response.status,
      );
    }
    const text = await response.text();
    return (text === '' ? undefined : JSON.parse(text)) as T;
  }
}

/** The vhost named by an AMQP URL's path, "/" when there is none. */
export function vhostOf(amqpUrl: string): string {
  const path = parseBrokerUrl(amqpUrl).pathname.replace(/^\//, '');
  return path ? decodeURIComponent(path) : '/';
}
