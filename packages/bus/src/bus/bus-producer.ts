import type { MessageType } from '../contracts/message-type.ts';
import type { MessageOptions } from '../endpoint/consume-context.ts';
import { parseDestination } from '../envelope/addresses.ts';
import { uuidv7 } from '../envelope/uuidv7.ts';
import { ConfigurationError } from '../errors.ts';
import type { BusCore } from './bus-core.ts';
import type { RequestOptions, ScheduledSend } from './bus-options.ts';
import { produceOutgoing } from './message-factory.ts';
import type { Response } from './request-client.ts';
import { BusStoppedError, RequestTimeoutError } from './request-errors.ts';

// The bus's own producer paths. Each builds the message through the outbound middleware
// (`produceOutgoing`) and says where it goes once the middleware let it through.

/**
 * Publishes to the type's exchange. Not an async function: every message a producer sends passes
 * here, and with a synchronous schema there is nothing to wait for before the broker. Whatever throws
 * still comes back as a rejection.
 */
export function publishFrom<T>(
  core: BusCore,
  type: MessageType<T>,
  message: T,
  options: MessageOptions | undefined,
): Promise<void> {
  try {
    assertRunning(core, `Cannot publish ${type.name}`);
    return produceOutgoing(core.scope, publishTarget, type, message, options, core.toTransport);
  } catch (error) {
    return Promise.reject(error);
  }
}

/** Sends to one destination (a queue name, or an address); not async, for the reason `publishFrom` gives. */
export function sendFrom<T>(
  core: BusCore,
  destination: string,
  type: MessageType<T>,
  message: T,
  options: MessageOptions | undefined,
): Promise<void> {
  try {
    assertRunning(core, `Cannot send ${type.name}`);
    const target = { kind: 'send' as const, destination: parseDestination(destination) };
    return produceOutgoing(core.scope, target, type, message, options, core.toTransport);
  } catch (error) {
    return Promise.reject(error);
  }
}

/** Sends or publishes a request and waits for its typed response, a fault, or the timeout. */
export async function requestFrom<T, R>(
  core: BusCore,
  type: MessageType<T>,
  message: T,
  requestOptions: RequestOptions<R>,
): Promise<Response<R>> {
  assertRunning(core, `Cannot request ${type.name}`);
  const timeoutMs = requestOptions.timeoutMs ?? core.requestTimeoutMs;
  const requestId = requestOptions.requestId ?? uuidv7();
  const { responseType, destination, timeoutMs: _timeout, ...messageOptions } = requestOptions;
  const target = destination
    ? { kind: 'send' as const, destination: parseDestination(destination) }
    : { kind: 'publish' as const };
  const options: MessageOptions = {
    ...messageOptions,
    requestId,
    responseAddress: core.transport.addressOf(core.responseQueue),
    timeToLiveMs: messageOptions.timeToLiveMs ?? timeoutMs,
  };
  // Expected before it is sent, so a fast responder cannot answer before anyone listens.
  const response = core.requests.expect(requestId, type.name, responseType);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new RequestTimeoutError(type.name, requestId, timeoutMs)), timeoutMs);
  });
  // The timeout covers sending too (a broker that is down makes the send wait), so either promise may
  // settle before it is raced; marked as handled here, it cannot end the process as an unhandled rejection.
  timeout.catch(() => {});
  response.catch(() => {});
  try {
    // A message its schema or an outbound middleware refuses rejects here with that error. One that an
    // outbound middleware dropped (never calling next) is not sent: the caller learns it from the timeout.
    await Promise.race([
      produceOutgoing(core.scope, target, type, message, options, core.toTransport),
      timeout,
    ]);
    return await Promise.race([response, timeout]);
  } finally {
    clearTimeout(timer);
    core.requests.forget(requestId);
  }
}

/** Builds the message now, through the outbound middleware, and gives it to the scheduler for `dueAt`. */
export async function scheduleSendFrom<T>(
  core: BusCore,
  destination: string,
  dueAt: Date,
  type: MessageType<T>,
  message: T,
  options: MessageOptions | undefined,
): Promise<ScheduledSend> {
  assertRunning(core, `Cannot schedule ${type.name}`);
  const scheduler = core.options.scheduler;
  if (!scheduler) {
    throw new ConfigurationError(
      `Cannot schedule ${type.name}: the bus has no scheduler (BusOptions.scheduler); pass MemoryScheduler or the PostgreSQL scheduler`,
    );
  }
  const target = { kind: 'send' as const, destination: parseDestination(destination) };
  const tokenId = uuidv7();
  await produceOutgoing(core.scope, target, type, message, options, (outgoing) =>
    scheduler.schedule({ id: tokenId, dueAt, outgoing }),
  );
  return { tokenId, dueAt };
}

/** Cancels a scheduled send; false when there is no scheduler or nothing left to cancel. */
export async function cancelScheduledSendFrom(core: BusCore, tokenId: string): Promise<boolean> {
  if (!core.options.scheduler) return false;
  return core.options.scheduler.cancel(tokenId);
}

function assertRunning(core: BusCore, what: string): void {
  if (core.state !== 'running') throw new BusStoppedError(what);
}

const publishTarget = Object.freeze({ kind: 'publish' as const });
