import type { Logger } from 'pino';
import { buildOutgoing, type ProducerScope } from '../bus/message-factory.ts';
import type { MessageType } from '../contracts/message-type.ts';
import { parseDestination } from '../envelope/addresses.ts';
import type { OutgoingMessage } from '../ports/outbox.ts';
import type { ConsumeContext, MessageOptions, MessageSink } from './consume-context.ts';

/** A sink that keeps messages until the consumer has succeeded, so a failed attempt publishes nothing. */
export class BufferedSink implements MessageSink {
  readonly messages: OutgoingMessage[] = [];

  async add(message: OutgoingMessage): Promise<void> {
    this.messages.push(message);
  }
}

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
  /** Made on first use: most messages are handled without a log line, and a pino child costs. */
  readonly logger: () => Logger;
}

/** Builds the context a consumer gets; messages it produces join the consumed message's conversation. */
export function createConsumeContext<T>(input: ConsumeContextInput<T>): ConsumeContext<T> {
  const { scope, envelope } = input;
  const context: ConsumeContext<T> = {
    message: envelope.message,
    envelope,
    messageType: input.messageType,
    endpoint: input.endpoint,
    consumer: input.consumer,
    attempt: input.attempt,
    redeliveryCount: input.redeliveryCount,
    signal: input.signal,
    get logger() {
      return input.logger();
    },
    items: new Map(),
    outgoing: input.outgoing,
    async publish<M>(type: MessageType<M>, message: M, options?: MessageOptions) {
      await context.outgoing.add(await buildOutgoing(scope, { kind: 'publish' }, type, message, options));
    },
    async send<M>(destination: string, type: MessageType<M>, message: M, options?: MessageOptions) {
      const target = { kind: 'send' as const, destination: parseDestination(destination) };
      await context.outgoing.add(await buildOutgoing(scope, target, type, message, options));
    },
    async respond<R>(type: MessageType<R>, message: R, options: MessageOptions = {}) {
      const withRequest = { requestId: envelope.requestId, ...options };
      if (envelope.responseAddress) await context.send(envelope.responseAddress, type, message, withRequest);
      else await context.publish(type, message, withRequest);
    },
  };
  return context;
}
