import { redactUrl } from '@switchyard/bus';
import amqp from 'amqplib';
import { requirementFor, type TestEnvironment } from './service-requirement.ts';
import { abandonedAfterMs, freshTestName, isAbandonedTestName } from './test-names.ts';

/** A virtual host that exists only for one test file. */
export interface TestVhost {
  readonly name: string;
  /** An AMQP URL that connects to this vhost. */
  readonly url: string;
  /** The management API base URL (for topology and queue inspection in tests). */
  readonly managementUrl: string;
  /** GETs `path` (`/api/...`) from the management API with the broker's credentials; the parsed JSON. */
  readManagement(path: string): Promise<unknown>;
  /** Deletes the vhost with every exchange, queue and message in it. */
  delete(): Promise<void>;
}

/** What an integration test file gets: skip it, or make fresh vhosts on the broker. */
export interface RabbitMqForTests {
  /** False when the tests run; otherwise the one-line reason they are skipped. */
  readonly skip: string | false;
  /** The broker's AMQP URL (unset when skipped). */
  readonly url: string;
  /** The broker's management API base URL, e.g. http://guest:guest@127.0.0.1:15672 (unset when skipped). */
  readonly managementUrl: string;
  /** Creates a fresh vhost the URL's user may use; call in `before` and delete it in `after`. */
  createVhost(): Promise<TestVhost>;
}

const requestTimeoutMs = 10_000;

/**
 * Reads RABBITMQ_URL (and RABBITMQ_MANAGEMENT_URL, defaulting to port 15672 on the same host with the
 * same credentials) and checks the management API answers. Skips outside CI when RABBITMQ_URL is unset;
 * throws when it is set but the broker does not answer, or in CI when unset.
 */
export async function rabbitmqForTests(env: TestEnvironment = process.env): Promise<RabbitMqForTests> {
  const requirement = requirementFor('RabbitMQ', 'RABBITMQ_URL', env);
  if (requirement.kind === 'fail') throw new Error(requirement.reason);
  if (requirement.kind === 'skip') {
    return {
      skip: requirement.reason,
      url: '',
      managementUrl: '',
      createVhost: () => Promise.reject(new Error(requirement.reason)),
    };
  }
  const url = requirement.url;
  const managementUrl = env.RABBITMQ_MANAGEMENT_URL?.trim() || defaultManagementUrl(url);
  await checkBrokerAnswers(url);
  const api = new ManagementApi(managementUrl);
  await api.request('GET', '/api/overview');
  await deleteAbandonedVhosts(api);
  return { skip: false, url, managementUrl, createVhost: () => createVhost(api, url, managementUrl) };
}

async function createVhost(api: ManagementApi, brokerUrl: string, managementUrl: string): Promise<TestVhost> {
  const name = freshTestName();
  const user = decodeURIComponent(new URL(brokerUrl).username || 'guest');
  await api.request('PUT', `/api/vhosts/${name}`);
  await api.request('PUT', `/api/permissions/${name}/${encodeURIComponent(user)}`, {
    configure: '.*',
    write: '.*',
    read: '.*',
  });
  const url = new URL(brokerUrl);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    managementUrl,
    readManagement: (path) => api.request('GET', path),
    delete: () => api.request('DELETE', `/api/vhosts/${name}`, undefined, [404]).then(() => {}),
  };
}

/** Removes vhosts left by test runs that were killed before their `after` hooks ran. */
async function deleteAbandonedVhosts(api: ManagementApi): Promise<void> {
  const vhosts = (await api.request('GET', '/api/vhosts?columns=name')) as Array<{ name: string }>;
  const now = Date.now();
  for (const { name } of vhosts) {
    if (isAbandonedTestName(name, now, abandonedAfterMs)) {
      await api.request('DELETE', `/api/vhosts/${name}`, undefined, [404]);
    }
  }
}

async function checkBrokerAnswers(url: string): Promise<void> {
  try {
    const connection = await amqp.connect(url, { timeout: requestTimeoutMs });
    await connection.close();
  } catch (error) {
    throw new Error(
      `RabbitMQ at ${redactUrl(url)} did not answer (${(error as Error).message}). Start it (see README.md, "Running the tests") or unset RABBITMQ_URL to skip these tests outside CI.`,
      { cause: error },
    );
  }
}

function defaultManagementUrl(amqpUrl: string): string {
  const amqp = new URL(amqpUrl);
  const management = new URL(`http://${amqp.hostname}:15672`);
  management.username = amqp.username || 'guest';
  management.password = amqp.password || 'guest';
  return management.toString().replace(/\/$/, '');
}

/** Just enough of the management HTTP API for test set-up, with credentials taken from the URL. */
class ManagementApi {
  readonly #base: string;
  readonly #authorization: string;
  readonly #printable: string;

  constructor(managementUrl: string) {
    const url = new URL(managementUrl);
    const user = decodeURIComponent(url.username);
    const password = decodeURIComponent(url.password);
    this.#authorization = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
    this.#printable = redactUrl(managementUrl);
    url.username = '';
    url.password = '';
    this.#base = url.toString().replace(/\/$/, '');
  }

  async request(method: string, path: string, body?: unknown, alsoAccept: number[] = []): Promise<unknown> {
    let response: Response;
    try {
      response = await fetch(`${this.#base}${path}`, {
        method,
        headers: { authorization: this.#authorization, 'content-type': 'application/json' },
        body: body === undefined ? null : JSON.stringify(body),
        signal: AbortSignal.timeout(requestTimeoutMs),
      });
    } catch (error) {
      throw new Error(
        `RabbitMQ management API at ${this.#printable} did not answer (${(error as Error).message}). Start the broker and enable the plugin: rabbitmq-plugins enable rabbitmq_management.`,
        { cause: error },
      );
    }
    if (!response.ok && !alsoAccept.includes(response.status)) {
      throw new Error(
        `RabbitMQ management API ${method} ${path} answered ${response.status}: ${await response.text()}`,
      );
    }
    const text = await response.text();
    return text ? JSON.parse(text) : undefined;
  }
}
