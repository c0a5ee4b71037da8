import { redactUrl } from '@switchyard/bus';
import { EmbeddedDatabaseLockedError, SqlError } from '@switchyard/postgres';
import { BrokerUnreadableError, DesiredStateError, SwitchRefusedError } from '@switchyard/slots';
import { CliError, exitCodes } from './exit-codes.ts';

/** A server a command talks to, as an error may name it (its URL without the password). */
export interface ServerInUse {
  readonly kind: 'PostgreSQL' | 'RabbitMQ';
  readonly url: string;
}

/** SQLSTATEs that mean the tables or schemas a command reads are not there yet. */
const notMigratedStates = new Set(['42P01', '3F000']);
/** Errors of the operating system's network calls that mean the server could not be reached. */
const unreachableCodes = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ETIMEDOUT',
  'ECONNRESET',
  'EAI_AGAIN',
]);

/**
 * A driver's or the library's failure as one line a person can act on, with the exit code scripts
 * branch on; undefined when the failure is none the CLI knows how to explain. `server` names the
 * server the failing call talked to, for failures that do not say so themselves (a refused connection).
 */
export function explainFailure(error: unknown, server?: ServerInUse): CliError | undefined {
  if (error instanceof CliError) return error;
  if (error instanceof EmbeddedDatabaseLockedError) return new CliError(error.message, exitCodes.failed);
  // The slots' own messages already say where, what and that nothing was changed.
  if (error instanceof DesiredStateError) return new CliError(error.message, exitCodes.usage);
  if (error instanceof SwitchRefusedError || error instanceof BrokerUnreadableError)
    return new CliError(error.message, exitCodes.failed);
  // SqlError carries the driver's code (a SQLSTATE, or ECONNREFUSED from the socket) as sqlState.
  const code = error instanceof SqlError ? error.sqlState : (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && unreachableCodes.has(code) && server) {
    return new CliError(
      `Cannot reach ${server.kind} at ${redactUrl(server.url)} (${code}): start it, or point ${
        server.kind === 'PostgreSQL' ? 'DATABASE_URL' : 'RABBITMQ_URL'
      } at a running server`,
      exitCodes.failed,
    );
  }
  const sqlState = typeof code === 'string' ? code : undefined;
  const message = error instanceof Error ? error.message : String(error);
  if (sqlState !== undefined && notMigratedStates.has(sqlState)) {
    const missing = /(?:relation|schema) "([^"]+)" does not exist/.exec(message)?.[1];
    return new CliError(
      `The database has not been migrated${missing ? ` ("${missing}" does not exist)` : ''}: run \`yard migrate\`, or start the app once`,
      exitCodes.notFound,
    );
  }
  if (sqlState === '3D000') {
    const database = /database "([^"]+)" does not exist/.exec(message)?.[1] ?? 'named in DATABASE_URL';
    return new CliError(
      `PostgreSQL has no database "${database}": create it (createdb), or fix DATABASE_URL`,
      exitCodes.failed,
    );
  }
  if (sqlState === '28P01' || sqlState === '28000') {
    return new CliError(
      `PostgreSQL refused the login${server ? ` at ${redactUrl(server.url)}` : ''}: check the user and password in DATABASE_URL`,
      exitCodes.failed,
    );
  }
  return explainBrokerReply(message, server);
}

/** amqplib reports the broker's refusals as text: "Operation failed: BasicGet; 404 (NOT-FOUND) with message …". */
function explainBrokerReply(message: string, server: ServerInUse | undefined): CliError | undefined {
  const noQueue = /NOT_FOUND - no queue '([^']*)' in vhost '([^']*)'/.exec(message);
  if (noQueue) {
    return new CliError(
      `RabbitMQ has no queue "${noQueue[1]}" in vhost "${noQueue[2]}": check the name (\`yard topology plan\` lists the app's queues; an error queue is made when the app starts)`,
      exitCodes.notFound,
    );
  }
  const where = server ? ` at ${redactUrl(server.url)}` : '';
  if (/ACCESS[-_]REFUSED/.test(message)) {
    return new CliError(
      `RabbitMQ${where} refused the login: check the user and password in RABBITMQ_URL`,
      exitCodes.failed,
    );
  }
  const noVhost = /vhost '?([^' ]+)'? not found/.exec(message);
  if (noVhost) {
    return new CliError(
      `RabbitMQ${where} has no vhost "${noVhost[1]}": create it (rabbitmqctl add_vhost), or fix RABBITMQ_URL`,
      exitCodes.failed,
    );
  }
  return undefined;
}
