import type { CapturedMessage, CaptureEnvironment } from '../captured-message.ts';

/** Derives the key a message is grouped by; the store only keeps what it returns. */
export type GroupKeyOf = (message: CapturedMessage) => string;

/** The default grouping: the correlation id, else the conversation id, else the message on its own. */
export const defaultGroupKey: GroupKeyOf = (message) =>
  message.correlationId ?? message.conversationId ?? message.messageId;

/** What `append` did: messages new to the store, and those it already had (a redelivery). */
export interface AppendReport {
  readonly stored: number;
  readonly duplicates: number;
}

/** A captured body that is not a readable envelope: reported, never dropped. */
export interface MalformedCapture {
  readonly run: string;
  readonly environment: CaptureEnvironment;
  /** The transport's message id where it had one. */
  readonly transportMessageId: string | undefined;
  readonly body: Uint8Array;
  readonly reason: string;
  /** ISO-8601. */
  readonly capturedAt: string;
}

/** A malformed capture as the store reports it, with the body cut to a bound. */
export interface StoredMalformedCapture {
  readonly environment: CaptureEnvironment;
  readonly transportMessageId: string | undefined;
  /** The body as UTF-8 text, at most `maxMalformedBodyChars` characters. */
  readonly body: string;
  /** The size of the whole body, in bytes. */
  readonly bodyBytes: number;
  readonly reason: string;
  readonly capturedAt: string;
}

/** Why a group counts as settled. */
export type SettledReason = 'complete' | 'quiet' | 'max-wait';

/** When a group is settled enough to compare. */
export interface SettleRule {
  /** Settled when no message arrived on any side for this long. */
  readonly quietMs: number;
  /** Settled this long after its first message whatever else: a side still missing is a finding, not a hang. */
  readonly maxWaitMs: number;
  /** Settled as soon as both baseline and candidate have a message of one of these type URNs. */
  readonly completionTypes?: readonly string[];
  /** The clock, for tests and for re-comparing a past run; default now. */
  readonly now?: Date;
  /** The most groups one call claims. */
  readonly limit: number;
}

/** A group newly claimed as settled, with how many messages each environment sent. */
export interface SettledGroup {
  readonly groupKey: string;
  readonly reason: SettledReason;
  readonly counts: Readonly<Record<CaptureEnvironment, number>>;
}

/** One group's messages, per environment, in sent-time order. */
export type GroupMessages = Readonly<Record<CaptureEnvironment, readonly CapturedMessage[]>>;

/** One recorded comparison. */
export interface ComparisonResult {
  /** The result's position in the run, for paging. */
  readonly seq: number;
  readonly groupKey: string;
  readonly reconciler: string;
  readonly outcome: unknown;
  readonly comparedAt: string;
}

/** A page of results; pass `next` as `after` for the following page, absent on the last. */
export interface ResultPage {
  readonly results: readonly ComparisonResult[];
  readonly next: number | undefined;
}

/** A page of captures; pass `next` as `after` for the following page, absent on the last. */
export interface CapturedPage {
  readonly messages: readonly CapturedMessage[];
  readonly next: number | undefined;
}

/** Counts for a run's report. */
export interface RunSummary {
  readonly groups: number;
  readonly settled: number;
  /** Groups with at least one recorded result. */
  readonly compared: number;
  /** Groups that got a message after they were claimed, so compared without it. */
  readonly lateMessages: number;
  readonly messages: Readonly<Record<CaptureEnvironment, number>>;
  readonly malformed: number;
  /** Results by `outcome.kind` (`unknown` when the outcome has none). */
  readonly byOutcome: Readonly<Record<string, number>>;
}

/** How long after a group began one side sent its first message of a type: percentiles over the run's groups. */
export interface SideLatency {
  /** Groups in which this side sent the type. */
  readonly groups: number;
  readonly p50Ms: number;
  readonly p95Ms: number;
}

/** A message type's latency on each side; a side that never sent it is absent. */
export interface MessageTypeLatency {
  readonly messageType: string;
  readonly baseline?: SideLatency;
  readonly candidate?: SideLatency;
}

/**
 * Where taps put what they capture and comparers find settled groups. Every write is idempotent: a
 * message delivered twice, or a comparison recorded twice, is kept once.
 */
export interface CaptureStore {
  append(messages: readonly CapturedMessage[], keyOf?: GroupKeyOf): Promise<AppendReport>;
  appendMalformed(captures: readonly MalformedCapture[]): Promise<void>;
  claimSettled(run: string, rule: SettleRule): Promise<SettledGroup[]>;
  /**
   * Forgets a run's comparisons (its results and claims), keeping its captures, so that it can be
   * compared again with newer reconcilers or learnt noise. Answers how many results were dropped.
   */
  resetComparisons(run: string): Promise<number>;
  /** Returns claimed groups to be claimed again (a comparer that gave up on them). */
  releaseClaims(run: string, groupKeys: readonly string[]): Promise<void>;
  messagesOf(run: string, groupKey: string): Promise<GroupMessages>;
  /** One environment's captures of a run in the order they were captured, a page at a time (for replay). */
  capturedInOrder(
    run: string,
    environment: CaptureEnvironment,
    page?: { readonly after?: number; readonly limit?: number },
  ): Promise<CapturedPage>;
  recordResult(
    run: string,
    groupKey: string,
    reconciler: string,
    outcome: unknown,
  ): Promise<'recorded' | 'already'>;
  results(run: string, page?: { readonly after?: number; readonly limit?: number }): Promise<ResultPage>;
  summary(run: string): Promise<RunSummary>;
  malformed(run: string): Promise<StoredMalformedCapture[]>;
  /**
   * Per message type and side, the time from the group's first message on that side to its first message
   * of the type, by the sender's clock (sent time): each side measured against itself, so two
   * environments' clocks need not agree, and a replayed input stream starts both sides alike.
   */
  latencyByType(run: string): Promise<MessageTypeLatency[]>;
}
