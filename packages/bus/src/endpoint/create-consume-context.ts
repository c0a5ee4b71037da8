import type { Logger } from 'pino';
import { type ProducerScope, produceOutgoing } from '../bus/message-factory.ts';
import type { MessageType } from '../contracts/message-type.ts';
import { parseDestination } from '../envelope/addresses.ts';
import type { Envelope } from '../envelope/envelope.ts';
import type { OutgoingMessage } from '../ports/outbox.ts';
import type { ConsumeContext, MessageSink } from './consume-context.ts';

/** A sink that keeps messages until the consumer has succeeded, so a failed attempt publishes nothing. */
export class BufferedSink implements MessageSink {
  // Made on the first message: most consumers of most messages produce none.
  #messages: OutgoingMessage[] | undefined;

  get messages(): readonly OutgoingMessage[] {
    return this.#messages ?? noMessages;
  }

  async add(message: OutgoingMessage): Promise<void> {
    this.#messages ??= [];
    this.#messages.push(message);
  }
}

const noMessages: readonly OutgoingMessage[] = Object.freeze([]);
const publishTarget = Object.freeze({ kind: 'publish' as const });

/** The facts a consume context is made from: most are its own fields, handed over as they are. */
export interface ConsumeContextInput<T>
  extends Pick<
    ConsumeContext<T>,
    | 'envelope'
    | 'messageType'
    | 'endpoint'
    | 'consumer'
    | 'attempt'
    | 'redeliveryCount'
    | 'signal'
    | 'outgoing'
  > {
  readonly scope: ProducerScope;
  /**
   * The delivery being handled, whose logger (with the message's ids) is made on first use: most
   * messages are handled without a log line, and a pino child costs. The context's own logger is its
   * child naming the consumer, made on first use too.
   */
  readonly delivery: { logger(): Logger };
}

/** Builds the context a consumer gets; messages it produces join the consumed message's conversation. */
export function createConsumeContext<T>(input: ConsumeContextInput<T>): ConsumeContext<T> {
  return new HandlingContext(input);
}

/**
 * A class rather than an object literal: every message gets one, and a class's instances share one
 * shape and its accessors, where each literal with getters would carry accessors of its own. The
 * producer methods stay functions of the instance, so a consumer may take them apart
 * (`const { publish } = context`) and still call them.
 */
class HandlingContext<T> implements ConsumeContext<T> {
  readonly message: T;
  readonly envelope: Envelope<T>;
  readonly messageType: MessageType<T>;
  readonly endpoint: string;
  readonly consumer: string;
  readonly attempt: number;
  readonly redeliveryCount: number;
  readonly signal: AbortSignal;
  outgoing: MessageSink;
  readonly publish: ConsumeContext<T>['publish'];
  readonly send: ConsumeContext<T>['send'];
  readonly respond: ConsumeContext<T>['respond'];
  readonly #delivery: { logger(): Logger };
  #logger: Logger | undefined;
  // Made on first use: only some middleware keeps items, and every message would pay for a Map.
  #items: Map<string, unknown> | undefined;

  constructor(input: ConsumeContextInput<T>) {
    const { scope, envelope } = input;
    this.message = envelope.message;
    this.envelope = envelope;
    this.messageType = input.messageType;
    this.endpoint = input.endpoint;
    this.consumer = input.consumer;
    this.attempt = input.attempt;
    this.redeliveryCount = input.redeliveryCount;
    this.signal = input.signal;
    this.outgoing = input.outgoing;
    this.#delivery = input.delivery;
    // The outbound middleware runs before the message reaches `outgoing`, so what a sink keeps (the
    // outbox's row, the transactional send, the buffer sent after success) is the stamped message. The
    // sink is read when the message gets there: middleware such as the outbox's may have replaced it.
    this.publish = async (type, message, options) => {
      await produceOutgoing(
        scope,
        publishTarget,
        type,
        message,
        options,
        (outgoing) => this.outgoing.add(outgoing),
        this,
      );
    };
    this.send = async (destination, type, message, options) => {
      const target = { kind: 'send' as const, destination: parseDestination(destination) };
      await produceOutgoing(
        scope,
        target,
        type,
        message,
        options,
        (outgoing) => this.outgoing.add(outgoing),
        this,
      );
    };
    this.respond = async (type, message, options = {}) => {
      const withRequest = { requestId: envelope.requestId, ...options };
      if (envelope.responseAddress) await this.send(envelope.responseAddress, type, message, withRequest);
      else await this.publish(type, message, withRequest);
    };
  }

  get logger(): Logger {
    this.#logger ??= this.#delivery.logger().child({ consumer: this.consumer });
    return this.#logger;
  }

  get items(): Map<string, unknown> {
    this.#items ??= new Map();
    return this.#items;
  }
}
