import type { HeaderValue } from '@switchyard/bus';

/** Which side of a comparison a message was captured on. */
export type Side = 'baseline' | 'candidate';

/**
 * An environment a run captures: the baseline (PROD, the legacy system, blue), the candidate (UAT, the
 * rewrite, green), or a second baseline fed the same input, whose differences from the first are noise.
 */
export type CaptureEnvironment = Side | 'baseline-2';

/** One output message of an environment, as the capture store keeps it. */
export interface CapturedMessage {
  /** The run it belongs to: captures are kept per run, so a run can be compared again later. */
  readonly run: string;
  readonly environment: CaptureEnvironment;
  readonly messageId: string;
  /** The key messages are grouped by: the envelope's correlation id unless a reconciler derives one. */
  readonly correlationId: string | undefined;
  readonly conversationId: string | undefined;
  /** The most specific message type URN, e.g. `urn:message:milkround.billing:CustomerCharged`. */
  readonly messageType: string;
  /** When the environment sent it (the envelope's sentTime), ISO-8601. */
  readonly sentTime: string;
  /** When the tap stored it, ISO-8601. */
  readonly capturedAt: string;
  /** The message itself (the envelope's `message`), as JSON. */
  readonly message: unknown;
  readonly headers: Readonly<Record<string, HeaderValue>>;
}
