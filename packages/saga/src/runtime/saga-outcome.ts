import type { MessageType, SagaTransition } from '@switchyard/bus';
import type { SagaEvent } from '../definition/saga-event.ts';
import type { HeldMessage, SagaInstance } from './saga-instance.ts';

/** A message for a saga, as the runtime hands it to the engine. */
export interface IncomingSagaMessage {
  readonly event: SagaEvent;
  readonly message: unknown;
  readonly messageId: string;
  readonly correlationId?: string | undefined;
  /** The event name a saga scheduled this message as; only the latest scheduled one is applied. */
  readonly scheduledAs?: string | undefined;
  /** The queue it was consumed from; a new instance remembers it when it is a slot's. */
  readonly endpoint?: string | undefined;
}

/** What a unit of work asks the runtime to do once it commits (the runtime writes these in the same transaction). */
export type SagaEffect =
  | { readonly kind: 'publish'; readonly messageType: MessageType; readonly message: unknown }
  | {
      readonly kind: 'send';
      readonly destination: string;
      readonly messageType: MessageType;
      readonly message: unknown;
    }
  | {
      readonly kind: 'request';
      readonly destination: string;
      readonly messageType: MessageType;
      readonly message: unknown;
      readonly sagaId: string;
    }
  | {
      readonly kind: 'schedule';
      readonly token: string;
      readonly dueAt: Date;
      readonly event: string;
      readonly messageType: MessageType;
      readonly message: unknown;
    }
  | { readonly kind: 'unschedule'; readonly token: string }
  | {
      readonly kind: 'expel';
      readonly held: HeldMessage;
      readonly messageType: MessageType;
      readonly reason: string;
    }
  | {
      readonly kind: 'expireHeld';
      readonly token: string;
      readonly dueAt: Date;
      readonly sagaId: string;
      readonly heldMessageId: string;
    };

/** How a unit of work ended. */
export type SagaResult = 'applied' | 'held' | 'ignored' | 'duplicate' | 'stale' | 'expired';

/** The result of handling one message: what happened, and what the runtime must do in the same transaction. */
export interface SagaOutcome {
  readonly result: SagaResult;
  readonly sagaId: string | undefined;
  readonly state: string | undefined;
  readonly effects: readonly SagaEffect[];
  readonly transitions: readonly SagaTransition[];
  /** The slot the instance started in, if it started in one: what it produces is bound to it. */
  readonly slot?: string | undefined;
}

/** An outcome that changed nothing. */
export function quietOutcome(result: SagaResult, instance: SagaInstance | undefined): SagaOutcome {
  return { result, sagaId: instance?.id, state: instance?.state, effects: [], transitions: [] };
}
