import {
  bounded,
  type ConsumerDefinition,
  consumer,
  errorQueueName,
  faultOf,
  type MessageType,
  parseDestination,
  redactSecrets,
} from '@switchyard/bus';
import type { SqlClient } from '@switchyard/postgres';
import { z } from 'zod';

// An accepted command whose consumer fails for good leaves its message in an error queue; without a
// record of that, the command's status resource answers 404 forever (issue 30). A module records the
// Fault the bus publishes for each of its commands here, and its status resource shows it. The bus
// publishes Fault<T> on every transport and stores it like any message, so this survives restarts.
// A candidate for @switchyard/host (a module option "report the faults of these commands"): decision 0029.

/** Where the failed command's message waits: the error queue and the message's id there. */
export const ErrorQueueEntry = z.object({
  name: z.string().describe('The error queue holding the message, e.g. returns-complaints_error'),
  messageId: z.string().describe('The message id in that queue (yard errors show <name> <messageId>)'),
});

/** How a status resource shows an accepted command that failed for good. */
export const CommandFailed = z.object({
  status: z.literal('failed'),
  reason: z.string().describe('Why the command failed, as the error queue records it (secrets hidden)'),
  errorQueue: ErrorQueueEntry,
  failedAt: z.string(),
});
export type CommandFailed = z.infer<typeof CommandFailed>;

/** What a failure is about: the id its status resource is found by, and the command's own id. */
export interface FailureSubject {
  readonly resourceId: string;
  readonly commandId: string;
}

/** One recorded failure, as a status resource shows it, with the command it belongs to. */
export interface CommandFailure extends CommandFailed {
  readonly commandId: string;
}

/**
 * Faults read leniently: the faulted message is handed to `subjectOf` unchecked, since a message that
 * failed its own validation must still be recorded as failed (its type's schema would refuse the Fault).
 */
const LenientFault = z.object({
  faultedMessageId: z.string(),
  timestamp: z.string(),
  exceptions: z.array(z.object({ message: z.unknown().optional() })),
  message: z.unknown(),
});
type LenientFault = z.infer<typeof LenientFault>;

/** Ids longer than this cannot be asked for at the edge (storable ids), so they are not recorded. */
const maxIdLength = 100;
const maxReasonLength = 2_000;

/**
 * The consumer that records faults of `type`: subscribe it on an endpoint of the module that owns the
 * status resource. `failingEndpoint` names the error queue when the Fault does not say where it came from.
 */
export function recordFailuresOf<T>(
  type: MessageType<T>,
  options: {
    readonly sql: SqlClient;
    readonly schema: string;
    /** The kind of command, so that one table serves several. */
    readonly kind: string;
    readonly failingEndpoint: string;
    readonly subjectOf: (message: Partial<Record<string, unknown>>) => FailureSubject | undefined;
  },
): ConsumerDefinition {
  const faults: MessageType<LenientFault> = Object.freeze({ ...faultOf(type), schema: LenientFault });
  return consumer(
    faults,
    async (fault, context) => {
      const message =
        typeof fault.message === 'object' && fault.message !== null
          ? (fault.message as Record<string, unknown>)
          : {};
      const subject = options.subjectOf(message);
      if (!subject || !recordable(subject.resourceId) || !recordable(subject.commandId)) {
        context.logger.warn(
          { faultedMessageId: fault.faultedMessageId, kind: options.kind },
          'A fault names no id its status resource could be asked for; it stays in the error queue only',
        );
        return;
      }
      const source = context.envelope.sourceAddress;
      const endpoint = source ? parseDestination(source).name : options.failingEndpoint;
      const failedAt = Number.isNaN(Date.parse(fault.timestamp)) ? new Date() : new Date(fault.timestamp);
      await options.sql.query(
        `insert into ${options.schema}.command_failures
           (kind, resource_id, command_id, message_id, error_queue, reason, failed_at)
         values ($1, $2, $3, $4, $5, $6, $7)
         on conflict (kind, resource_id, message_id, error_queue) do nothing`,
        [
          options.kind,
          subject.resourceId,
          subject.commandId,
          storableText(fault.faultedMessageId, maxIdLength * 2),
          storableText(errorQueueName(endpoint || options.failingEndpoint), maxIdLength * 2),
          reasonOf(fault),
          failedAt,
        ],
      );
    },
    { name: `record-failures-of-${type.name}` },
  );
}

/** The failures recorded for a resource, latest first. */
export async function failuresOf(
  sql: SqlClient,
  schema: string,
  kind: string,
  resourceId: string,
): Promise<CommandFailure[]> {
  const { rows } = await sql.query(
    `select command_id, message_id, error_queue, reason, failed_at from ${schema}.command_failures
     where kind = $1 and resource_id = $2 order by failed_at desc, message_id desc`,
    [kind, resourceId],
  );
  return rows.map((row) => ({
    commandId: String(row.command_id),
    status: 'failed' as const,
    reason: String(row.reason),
    errorQueue: { name: String(row.error_queue), messageId: String(row.message_id) },
    failedAt: new Date(row.failed_at as string | Date).toISOString(),
  }));
}

/** The failure as its status resource shows it, without the command id it was looked up by. */
export function failureView(failure: CommandFailure): CommandFailed {
  return {
    status: failure.status,
    reason: failure.reason,
    errorQueue: failure.errorQueue,
    failedAt: failure.failedAt,
  };
}

/** A string field of a faulted message, if it is one. */
export function stringField(message: Partial<Record<string, unknown>>, name: string): string | undefined {
  const value = message[name];
  return typeof value === 'string' ? value : undefined;
}

function recordable(id: string): boolean {
  return id.length > 0 && id.length <= maxIdLength && storableText(id, maxIdLength) === id;
}

/** The first exception's message, as the bus shows fault details: secrets hidden, length bounded. */
function reasonOf(fault: LenientFault): string {
  const first = fault.exceptions[0]?.message;
  const text = typeof first === 'string' && first !== '' ? first : 'The fault carries no exception message';
  // The Fault may come from another process or a .NET service: hide and bound again, to be sure.
  return storableText(bounded(redactSecrets(text), maxReasonLength), maxReasonLength + 100);
}

/** PostgreSQL text holds neither NUL nor unpaired surrogates: an error quoting its input may hold both. */
function storableText(text: string, maxChars: number): string {
  return text.slice(0, maxChars).toWellFormed().replaceAll('\u0000', '\ufffd');
}
