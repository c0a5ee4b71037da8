import type { HostInfo } from '../envelope/envelope.ts';
import type { Headers, HeaderValue } from '../transport/transport.ts';
import type { ExceptionInfo } from './fault.ts';

/**
 * Transport headers the bus writes on messages it moves to `_error`, `_skipped` or back for
 * redelivery. The `MT-` names are MassTransit's (MassTransit.Abstractions `MessageHeaders`), so its
 * tools read our error queues and ours read its.
 */
export const transportHeaders = {
  reason: 'MT-Reason',
  faultExceptionType: 'MT-Fault-ExceptionType',
  faultMessage: 'MT-Fault-Message',
  faultStackTrace: 'MT-Fault-StackTrace',
  faultTimestamp: 'MT-Fault-Timestamp',
  faultConsumerType: 'MT-Fault-ConsumerType',
  faultMessageType: 'MT-Fault-MessageType',
  faultRetryCount: 'MT-Fault-RetryCount',
  faultInputAddress: 'MT-Fault-InputAddress',
  faultRedeliveryCount: 'MT-Fault-RedeliveryCount',
  redeliveryCount: 'MT-Redelivery-Count',
  hostMachineName: 'MT-Host-MachineName',
  hostProcessName: 'MT-Host-ProcessName',
  hostProcessId: 'MT-Host-ProcessId',
  hostAssembly: 'MT-Host-Assembly',
  hostAssemblyVersion: 'MT-Host-AssemblyVersion',
  hostFrameworkVersion: 'MT-Host-FrameworkVersion',
  hostOperatingSystemVersion: 'MT-Host-OperatingSystemVersion',
  /** When the first attempt to handle this message began, across redeliveries. */
  firstAttemptAt: 'Switchyard-First-Attempt-At',
  /** The queue the message came from, so tooling can move it back. */
  sourceQueue: 'Switchyard-Source-Queue',
  /** Consumers on the endpoint that already succeeded, so a redelivery runs only the others. */
  completedConsumers: 'Switchyard-Completed-Consumers',
  /** The queue the redelivery state was written for: a copy that turns up on another queue is not trusted. */
  redeliveryQueue: 'Switchyard-Redelivery-Queue',
  /**
   * Deliveries of this message a RabbitMQ classic queue handed out and nobody settled, carried through the
   * endpoint's own redelivery path (classic queues keep no count of their own).
   */
  unsettledDeliveries: 'Switchyard-Unsettled-Deliveries',
} as const;

/**
 * Headers the bus acts on when a message comes back through its own redelivery path, and only then:
 * from anywhere else (a producer, a message forwarded with its headers from another queue) they are
 * ignored, logged and dropped. See docs/decisions/0018-headers-the-bus-trusts.md.
 */
export const redeliveryStateHeaders: readonly string[] = [
  transportHeaders.redeliveryCount,
  transportHeaders.firstAttemptAt,
  transportHeaders.completedConsumers,
  transportHeaders.redeliveryQueue,
];

/**
 * Headers that describe one move (to `_error`, `_skipped`) or one transport's bookkeeping; the bus
 * never acts on them and never passes them on.
 */
const moveHeaders = new Set<string>([
  transportHeaders.reason,
  transportHeaders.sourceQueue,
  transportHeaders.unsettledDeliveries,
]);

/** Whether the bus wrote this header to describe a move, a fault or the host that made it. */
function isMoveHeader(name: string): boolean {
  return moveHeaders.has(name) || name.startsWith('MT-Fault-') || name.startsWith('MT-Host-');
}

/** Which headers of an incoming message the bus may not act on or pass on: what to drop, and what to warn of. */
export interface UntrustedHeaders {
  /** Redelivery state present without the transport vouching for it: ignored and logged. */
  readonly ignored: readonly string[];
  /** Every header to leave out of what moves on (the ignored ones and stale move descriptions). */
  readonly dropped: readonly string[];
}

const nothingUntrusted: UntrustedHeaders = { ignored: [], dropped: [] };

/**
 * Sorts the bus's own headers on an incoming message: the redelivery state counts only when `trusted`
 * (the transport vouches it came back through this queue's redelivery path, and it names this queue).
 */
export function untrustedHeaders(headers: Headers, trusted: boolean): UntrustedHeaders {
  let ignored: string[] | undefined;
  let dropped: string[] | undefined;
  for (const name in headers) {
    if (!Object.hasOwn(headers, name)) continue;
    if (!trusted && redeliveryStateHeaders.includes(name)) {
      ignored ??= [];
      ignored.push(name);
      dropped ??= [];
      dropped.push(name);
    } else if (isMoveHeader(name)) {
      dropped ??= [];
      dropped.push(name);
    }
  }
  return dropped ? { ignored: ignored ?? [], dropped } : nothingUntrusted;
}

/** The headers without the named ones; `__proto__` stays an ordinary header. */
export function withoutHeaders(headers: Headers, names: readonly string[]): Headers {
  if (names.length === 0) return headers;
  const kept: Record<string, HeaderValue> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (names.includes(name)) continue;
    Object.defineProperty(kept, name, { value, enumerable: true, writable: true, configurable: true });
  }
  return kept;
}

/** A message's headers without any redelivery state or move description of the bus: what a move starts from. */
export function withoutBusHeaders(headers: Headers): Headers {
  return withoutHeaders(
    headers,
    Object.keys(headers).filter((name) => redeliveryStateHeaders.includes(name) || isMoveHeader(name)),
  );
}

/**
 * Why a message was moved: a consumer fault, no consumer for its type (`dead-letter`, as MassTransit
 * writes it), or it had expired.
 */
export type MoveReason = 'fault' | 'dead-letter' | 'expired';

/** The facts about a failure that travel with the message into the error queue. */
export interface FaultDetails {
  readonly exception: ExceptionInfo;
  readonly consumer?: string | undefined;
  readonly messageType?: string | undefined;
  /** Attempts made in the last delivery (1 + immediate retries). */
  readonly attempts: number;
  readonly redeliveryCount: number;
  readonly firstAttemptAt: string;
  readonly failedAt: string;
  readonly inputAddress: string;
}

/** Headers for a message moved to the error queue; earlier transport headers are kept, the bus's own are replaced. */
export function faultHeaders(
  previous: Headers,
  sourceQueue: string,
  details: FaultDetails,
  host: HostInfo,
): Headers {
  const headers: Record<string, HeaderValue> = {
    ...withoutBusHeaders(previous),
    [transportHeaders.reason]: 'fault',
    [transportHeaders.faultExceptionType]: details.exception.exceptionType,
    [transportHeaders.faultMessage]: details.exception.message,
    [transportHeaders.faultTimestamp]: details.failedAt,
    [transportHeaders.faultRetryCount]: details.attempts - 1,
    [transportHeaders.faultInputAddress]: details.inputAddress,
    [transportHeaders.faultRedeliveryCount]: details.redeliveryCount,
    [transportHeaders.redeliveryCount]: details.redeliveryCount,
    [transportHeaders.firstAttemptAt]: details.firstAttemptAt,
    [transportHeaders.sourceQueue]: sourceQueue,
    ...hostHeaders(host),
  };
  if (details.exception.stackTrace) headers[transportHeaders.faultStackTrace] = details.exception.stackTrace;
  if (details.consumer) headers[transportHeaders.faultConsumerType] = details.consumer;
  if (details.messageType) headers[transportHeaders.faultMessageType] = details.messageType;
  return headers;
}

/** Headers for a message moved to the skipped queue (no consumer for its type, or expired). */
export function skipHeaders(
  previous: Headers,
  sourceQueue: string,
  reason: MoveReason,
  host: HostInfo,
): Headers {
  return {
    ...withoutBusHeaders(previous),
    [transportHeaders.reason]: reason,
    [transportHeaders.sourceQueue]: sourceQueue,
    ...hostHeaders(host),
  };
}

function hostHeaders(host: HostInfo): Record<string, HeaderValue> {
  const headers: Record<string, HeaderValue> = {};
  if (host.machineName) headers[transportHeaders.hostMachineName] = host.machineName;
  if (host.processName) headers[transportHeaders.hostProcessName] = host.processName;
  if (host.processId !== undefined) headers[transportHeaders.hostProcessId] = host.processId;
  if (host.assembly) headers[transportHeaders.hostAssembly] = host.assembly;
  if (host.assemblyVersion) headers[transportHeaders.hostAssemblyVersion] = host.assemblyVersion;
  if (host.frameworkVersion) headers[transportHeaders.hostFrameworkVersion] = host.frameworkVersion;
  if (host.operatingSystemVersion) {
    headers[transportHeaders.hostOperatingSystemVersion] = host.operatingSystemVersion;
  }
  return headers;
}

/** Reads a numeric header written by us or by MassTransit (which may write numbers as strings). */
export function numberHeader(headers: Headers, name: string): number {
  const value = headers[name];
  const number = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : 0;
  return Number.isFinite(number) ? number : 0;
}
