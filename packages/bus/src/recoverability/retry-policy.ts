import { EnvelopeDecodeError } from '../codec/codec.ts';
import { MessageValidationError } from '../contracts/validation.ts';
import { ConfigurationError, MessageRefusedError } from '../errors.ts';
import { InboxReusedIdError } from '../inbox/inbox-errors.ts';

/** An error class, for choosing which errors are retried. */
// biome-ignore lint/suspicious/noExplicitAny: constructors of any signature qualify
export type ErrorClass = abstract new (...args: any[]) => Error;

/**
 * How an endpoint recovers from a failing consumer: immediate retries within one delivery, then
 * delayed redeliveries through the transport, then the error queue. Errors the data itself causes
 * (validation, decoding) are never retried.
 */
export interface RetryPolicy {
  /** Further attempts straight away, waiting `intervalsMs[i]` (the last one repeats) before each. */
  readonly immediate?: {
    readonly limit: number;
    readonly intervalsMs?: readonly number[];
    /** Each wait varies by up to this fraction either way, so that retries from many consumers spread out. */
    readonly jitter?: number;
  };
  /** After immediate retries, the message is redelivered after each of these delays in turn. */
  readonly redelivery?: { readonly intervalsMs: readonly number[] };
  /** Only errors of these classes are retried (default: all but those in `ignore`). */
  readonly handle?: readonly ErrorClass[];
  /** Errors of these classes go straight to the error queue. */
  readonly ignore?: readonly ErrorClass[];
  /**
   * A message the transport has handed out this many times without it being settled (the process died
   * or hung holding it) goes to the error queue on its next delivery instead of to a consumer
   * (default 20, as RabbitMQ 4's quorum queues). Counted where the transport can count; see the README.
   */
  readonly deliveryLimit?: number;
}

/** Two further attempts, 50 ms and 200 ms apart with 20% jitter; no redelivery. */
export const defaultRetryPolicy: RetryPolicy = {
  immediate: { limit: 2, intervalsMs: [50, 200], jitter: 0.2 },
};

/** Errors that no retry can mend: the message itself is wrong. */
const neverRetried: readonly ErrorClass[] = [
  MessageValidationError,
  EnvelopeDecodeError,
  InboxReusedIdError,
  MessageRefusedError,
];

/** Whether the policy retries (or redelivers) after this error. */
export function isRetryable(policy: RetryPolicy, error: unknown): boolean {
  if (!(error instanceof Error)) return true;
  if (neverRetried.some((kind) => error instanceof kind)) return false;
  if (policy.ignore?.some((kind) => error instanceof kind)) return false;
  if (policy.handle && !policy.handle.some((kind) => error instanceof kind)) return false;
  return true;
}

/** The wait before immediate retry number `retry` (1-based), jittered. */
export function immediateRetryDelayMs(
  policy: RetryPolicy,
  retry: number,
  random: () => number = Math.random,
): number {
  const intervals = policy.immediate?.intervalsMs ?? [];
  const base = intervals[Math.min(retry, intervals.length) - 1] ?? 0;
  const jitter = policy.immediate?.jitter ?? 0;
  return Math.max(0, Math.round(base * (1 + jitter * (random() * 2 - 1))));
}

/** The delay before redelivery number `redelivery` (1-based), or undefined when redeliveries are used up. */
export function redeliveryDelayMs(policy: RetryPolicy, redelivery: number): number | undefined {
  return policy.redelivery?.intervalsMs[redelivery - 1];
}

/** Rejects policies that cannot work, naming whose policy (`Endpoint "orders"`), the field and the rule. */
export function checkRetryPolicy(owner: string, policy: RetryPolicy): void {
  const fail = (path: string, rule: string, value: unknown) => {
    throw new ConfigurationError(`${owner} retry.${path} ${rule}, got ${JSON.stringify(value)}`);
  };
  const limit = policy.immediate?.limit;
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 0))
    fail('immediate.limit', 'must be an integer ≥ 0', limit);
  for (const [index, ms] of (policy.immediate?.intervalsMs ?? []).entries()) {
    if (!Number.isFinite(ms) || ms < 0) fail(`immediate.intervalsMs[${index}]`, 'must be a number ≥ 0', ms);
  }
  const jitter = policy.immediate?.jitter;
  if (jitter !== undefined && !(jitter >= 0 && jitter <= 1))
    fail('immediate.jitter', 'must be between 0 and 1', jitter);
  for (const [index, ms] of (policy.redelivery?.intervalsMs ?? []).entries()) {
    if (!Number.isFinite(ms) || ms <= 0) fail(`redelivery.intervalsMs[${index}]`, 'must be a number > 0', ms);
  }
  const deliveryLimit = policy.deliveryLimit;
  if (deliveryLimit !== undefined && (!Number.isInteger(deliveryLimit) || deliveryLimit < 1))
    fail('deliveryLimit', 'must be an integer ≥ 1', deliveryLimit);
}
