import type { MessageOf, MessageType } from '@switchyard/bus';
import type { CapturedMessage } from '../captured-message.ts';

/** A message type as a reconciler names it: a defined type (typed access) or its URN. */
export type MessageRef = MessageType<unknown> | string;

export function urnOf(ref: MessageRef): string {
  return typeof ref === 'string' ? ref : ref.urn;
}

/** What a message of a ref reads as: the defined type's shape, or unknown for a bare URN. */
export type MessageOfRef<R> = R extends MessageType<unknown> ? MessageOf<R> : unknown;

/**
 * One side's messages of a group, of the reconciler's declared types, deduplicated by message id and in
 * a stable order (sent time, then id), so neither duplicates nor arrival order change what compare sees.
 */
export interface SideView<R extends MessageRef = MessageRef> {
  readonly side: 'baseline' | 'candidate';
  readonly captured: readonly CapturedMessage[];
  /** The message bodies, in the stable order. */
  readonly messages: readonly MessageOfRef<R>[];
  ofType<T extends R>(type: T): MessageOfRef<T>[];
  /** The one message of this type; throws, naming the side, type and count, when there is not exactly one. */
  one<T extends R>(type: T): MessageOfRef<T>;
}

export function sideView<R extends MessageRef>(
  side: 'baseline' | 'candidate',
  captured: readonly CapturedMessage[],
): SideView<R> {
  const ofType = <T extends R>(type: T): MessageOfRef<T>[] => {
    const urn = urnOf(type);
    return captured.filter((m) => m.messageType === urn).map((m) => m.message as MessageOfRef<T>);
  };
  return {
    side,
    captured,
    messages: captured.map((m) => m.message as MessageOfRef<R>),
    ofType,
    one<T extends R>(type: T): MessageOfRef<T> {
      const found = ofType(type);
      if (found.length !== 1) {
        throw new Error(`Expected exactly one ${urnOf(type)} on the ${side} side, found ${found.length}`);
      }
      return found[0] as MessageOfRef<T>;
    },
  };
}

/** Per side, one message per id (the first captured), sorted by sent time then id. */
export function dedupeAndOrder(messages: readonly CapturedMessage[]): CapturedMessage[] {
  const byId = new Map<string, CapturedMessage>();
  for (const message of messages) {
    const existing = byId.get(message.messageId);
    if (existing === undefined || message.capturedAt < existing.capturedAt)
      byId.set(message.messageId, message);
  }
  return [...byId.values()].sort((a, b) =>
    a.sentTime !== b.sentTime
      ? a.sentTime < b.sentTime
        ? -1
        : 1
      : a.messageId < b.messageId
        ? -1
        : a.messageId > b.messageId
          ? 1
          : 0,
  );
}
