import type { Logger } from 'pino';
import { type Codec, codecFor } from '../codec/codec.ts';
import type { MessageType } from '../contracts/message-type.ts';
import { validateMessage } from '../contracts/validation.ts';
import type { Envelope } from '../envelope/envelope.ts';
import type { Fault } from '../recoverability/fault.ts';
import { buildTopology } from '../topology/topology.ts';
import type { ConsumerHandle, Delivery, Transport } from '../transport/transport.ts';
import { BusStoppedError, RequestFaultError } from './request-errors.ts';

/** A typed response and the envelope it came in. */
export interface Response<R> {
  readonly message: R;
  readonly envelope: Envelope<R>;
}

interface PendingRequest {
  readonly requestType: string;
  readonly responseType: MessageType<unknown>;
  readonly resolve: (response: Response<unknown>) => void;
  readonly reject: (error: unknown) => void;
}

const faultUrnPrefix = 'urn:message:MassTransit:Fault[[';

/**
 * The bus instance's response queue: temporary, deleted with the bus. Responses and faults carry the
 * request's requestId, which finds the caller waiting for them.
 */
export class RequestClient {
  readonly queue: string;
  readonly #transport: Transport;
  readonly #codecs: readonly Codec[];
  readonly #logger: Logger;
  readonly #pending = new Map<string, PendingRequest>();
  #consumer: ConsumerHandle | undefined;

  constructor(queue: string, transport: Transport, codecs: readonly Codec[], logger: Logger) {
    this.queue = queue;
    this.#transport = transport;
    this.#codecs = codecs;
    this.#logger = logger;
  }

  topology() {
    return buildTopology([{ name: this.queue, subscribes: [], temporary: true }]);
  }

  async start(): Promise<void> {
    this.#consumer = await this.#transport.consume(this.queue, { prefetch: 32 }, (delivery) => {
      void this.#receive(delivery);
    });
  }

  /** Registers a caller waiting for a response to `requestId`; the returned promise settles with it. */
  expect<R>(requestId: string, requestType: string, responseType: MessageType<R>): Promise<Response<R>> {
    return new Promise<Response<R>>((resolve, reject) => {
      this.#pending.set(requestId, {
        requestType,
        responseType: responseType as MessageType<unknown>,
        resolve: resolve as (response: Response<unknown>) => void,
        reject,
      });
    });
  }

  /** Stops waiting for `requestId` (timed out or failed to send). */
  forget(requestId: string): void {
    this.#pending.delete(requestId);
  }

  async stop(): Promise<void> {
    await this.#consumer?.cancel();
    this.#consumer = undefined;
    for (const [requestId, pending] of this.#pending) {
      pending.reject(
        new BusStoppedError(`Request ${pending.requestType} (requestId ${requestId}) was waiting`),
      );
    }
    this.#pending.clear();
  }

  async #receive(delivery: Delivery): Promise<void> {
    try {
      const envelope = codecFor(this.#codecs, delivery.message.contentType).decode(delivery.message.body);
      const pending = envelope.requestId ? this.#pending.get(envelope.requestId) : undefined;
      if (!pending || !envelope.requestId) {
        this.#logger.warn(
          { messageId: envelope.messageId, requestId: envelope.requestId, messageType: envelope.messageType },
          'Response arrived for no waiting request (it timed out or was never made here); discarded',
        );
        return;
      }
      this.#pending.delete(envelope.requestId);
      if (envelope.messageType.some((urn) => urn.startsWith(faultUrnPrefix))) {
        pending.reject(new RequestFaultError(pending.requestType, envelope.message as Fault));
      } else if (envelope.messageType.includes(pending.responseType.urn)) {
        await validateMessage(pending.responseType, envelope.message).then(
          (message) => pending.resolve({ message, envelope: { ...envelope, message } }),
          (error: unknown) => pending.reject(error),
        );
      } else {
        pending.reject(
          new Error(
            `Request ${pending.requestType} got a ${envelope.messageType.join(', ')} response; expected ${pending.responseType.urn}`,
          ),
        );
      }
    } catch (error) {
      this.#logger.error({ err: error, messageId: delivery.message.messageId }, 'Could not read a response');
    } finally {
      await delivery.ack().catch(() => {});
    }
  }
}
