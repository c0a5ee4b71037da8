import {
  type ErrorQueueMessage,
  type ErrorQueueMessageNotMoved,
  type ErrorQueues,
  redactSecrets,
} from '@switchyard/bus';
import { PostgresErrorQueues } from '@switchyard/postgres';
import { ErrorQueueTools } from '@switchyard/rabbitmq';
import cliProgress from 'cli-progress';
import type { CommandContext } from '../command-context.ts';
import { CliError, exitCodes } from '../exit-codes.ts';
import { explainFailure } from '../failure-messages.ts';

/** Messages moved back per call to the error queue tools. */
const retryBatch = 100;

/** The error queues of the configured transport, for the length of `work`. */
async function withErrorQueues<T>(
  context: CommandContext,
  work: (queues: ErrorQueues) => Promise<T>,
): Promise<T> {
  if (context.config.transport.kind === 'rabbitmq') {
    const url = context.config.transport.url as string;
    const tools = new ErrorQueueTools({ url });
    try {
      return await work(tools);
    } catch (error) {
      throw explainFailure(error, { kind: 'RabbitMQ', url }) ?? error;
    } finally {
      await tools.close();
    }
  }
  return context.withDatabase((sql) => work(new PostgresErrorQueues(sql)));
}

function summary(message: ErrorQueueMessage) {
  return {
    messageId: message.messageId,
    sourceQueue: message.sourceQueue,
    exceptionType: message.fault.exceptionType,
    reason: message.fault.message === undefined ? undefined : redactSecrets(message.fault.message),
    failedAt: message.fault.timestamp,
  };
}

/** `yard errors list <queue>`. */
export async function listErrors(context: CommandContext, queue: string, limit: number): Promise<number> {
  const messages = await withErrorQueues(context, (queues) => queues.list(queue, limit));
  context.output.result(messages.map(summary), {
    head: ['message id', 'source queue', 'error', 'reason', 'failed at'],
    rows: messages.map((each) => {
      const row = summary(each);
      return [
        row.messageId,
        row.sourceQueue,
        row.exceptionType ?? '',
        truncate(row.reason ?? '', 60),
        row.failedAt ?? '',
      ];
    }),
  });
  if (!context.output.json && messages.length === 0) context.output.note(`${queue} is empty`);
  return exitCodes.ok;
}

/** `yard errors show <queue> <messageId>`: the fault and the message body. */
export async function showError(context: CommandContext, queue: string, messageId: string): Promise<number> {
  const message = await withErrorQueues(context, (queues) => queues.show(queue, messageId));
  if (!message) throw new CliError(`No message ${messageId} in ${queue}`, exitCodes.notFound);
  const body = Buffer.from(message.body).toString('utf8');
  context.output.result(
    { ...summary(message), fault: message.fault, headers: message.headers, body: parseOrText(body) },
    {
      head: ['field', 'value'],
      rows: [
        ['message id', message.messageId],
        ['source queue', message.sourceQueue],
        ['error', message.fault.exceptionType ?? ''],
        ['reason', redactSecrets(message.fault.message ?? '')],
        ['consumer', message.fault.consumer ?? ''],
        ['failed at', message.fault.timestamp ?? ''],
        ['retries', message.fault.retryCount ?? ''],
        ['body', truncate(body, 400)],
      ],
    },
  );
  return exitCodes.ok;
}

/**
 * `yard errors retry <queue> [ids...] | --all`: moves messages back to their source queues, one at a
 * time. Exits 1 if any stayed in the error queue (each is printed with the reason), else 3 if a named
 * message was not there.
 */
export async function retryErrors(
  context: CommandContext,
  queue: string,
  ids: readonly string[],
  options: { all?: boolean },
): Promise<number> {
  if (ids.length === 0 && !options.all) {
    throw new CliError('Name the message ids to retry, or pass --all', exitCodes.usage);
  }
  const { moved, notMoved } = await withErrorQueues(context, async (queues) => {
    const wanted = options.all ? (await queues.list(queue, 100_000)).map((each) => each.messageId) : ids;
    // In batches: each move is safe on its own (an interruption never loses a message), and a RabbitMQ
    // retry reads the whole queue once per call, so one call per message would not scale.
    const bar =
      process.stderr.isTTY && !context.output.json && wanted.length > retryBatch
        ? new cliProgress.SingleBar(
            { format: 'retrying {bar} {value}/{total}' },
            cliProgress.Presets.shades_classic,
          )
        : undefined;
    bar?.start(wanted.length, 0);
    let count = 0;
    const stayed: ErrorQueueMessageNotMoved[] = [];
    for (let start = 0; start < wanted.length; start += retryBatch) {
      const batch = wanted.slice(start, start + retryBatch);
      const result = await queues.retry(queue, batch);
      count += result.moved;
      stayed.push(...result.notMoved);
      bar?.increment(batch.length);
    }
    bar?.stop();
    return { moved: count, notMoved: stayed };
  });
  context.output.result(
    { queue, moved, notMoved },
    {
      head: ['queue', 'moved back', 'not moved'],
      rows: [[queue, moved, notMoved.length]],
    },
  );
  if (notMoved.length > 0) {
    for (const each of notMoved) {
      context.output.note(`not moved: ${each.messageId} to ${each.sourceQueue}: ${each.reason}`);
    }
    throw new CliError(
      `${notMoved.length} message(s) stayed in ${queue} (listed above); fix their source queue, then retry them again`,
      exitCodes.failed,
    );
  }
  if (ids.length > moved) {
    throw new CliError(
      `${ids.length - moved} of the named messages were not in ${queue}`,
      exitCodes.notFound,
    );
  }
  return exitCodes.ok;
}

/** `yard errors purge <queue> --yes`. */
export async function purgeErrors(
  context: CommandContext,
  queue: string,
  options: { yes?: boolean },
): Promise<number> {
  if (!options.yes) {
    throw new CliError(
      `Purging deletes every message in ${queue} for good; pass --yes to confirm`,
      exitCodes.usage,
    );
  }
  const removed = await withErrorQueues(context, (queues) => queues.purge(queue));
  context.output.result({ queue, removed }, { head: ['queue', 'removed'], rows: [[queue, removed]] });
  return exitCodes.ok;
}

function truncate(text: string, length: number): string {
  return text.length > length ? `${text.slice(0, length - 1)}…` : text;
}

function parseOrText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
