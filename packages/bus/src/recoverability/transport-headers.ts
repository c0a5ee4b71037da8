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
} as const;

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

/** Headers for a message moved to the error queue; earlier transport headers are kept. */
export function faultHeaders(
  previous: Headers,
  sourceQueue: string,
  details: FaultDetails,
  host: HostInfo,
): Headers {
  const headers: Record<string, HeaderValue> = {
    ...previous,
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
    ...previous,
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
