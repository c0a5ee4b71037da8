import { consumer, type MessageType, receiveEndpoint } from '@switchyard/bus';
import { defineModule, type ModuleDefinition } from '@switchyard/host';

/** One message a watcher received, with the envelope ids the tests look at. */
export interface Watched<T> {
  readonly message: T;
  readonly messageId: string;
  readonly correlationId: string | undefined;
}

/** A test module that subscribes to message types and keeps what arrives, in memory. */
export interface MessageWatcher {
  readonly module: ModuleDefinition;
  /** Everything of `type` received so far that passes `where`. */
  seen<T>(type: MessageType<T>, where?: (message: T) => boolean): Watched<T>[];
}

/** Watches `types` from an endpoint named `name` (also the module's name, so it must be lower-case). */
export function messageWatcher(name: string, types: readonly MessageType[]): MessageWatcher {
  const received = new Map<string, Watched<unknown>[]>();
  for (const type of types) received.set(type.urn, []);
  return {
    module: defineModule({
      name,
      endpoints: () => [
        receiveEndpoint(name, {
          consumers: types.map((type) =>
            consumer(type, (message, context) => {
              received.get(type.urn)?.push({
                message,
                messageId: context.envelope.messageId,
                correlationId: context.envelope.correlationId,
              });
            }),
          ),
        }),
      ],
    }),
    seen<T>(type: MessageType<T>, where: (message: T) => boolean = () => true): Watched<T>[] {
      const list = received.get(type.urn);
      if (!list) throw new Error(`The watcher does not watch ${type.name}; add it to the watcher's types`);
      return (list as Watched<T>[]).filter((each) => where(each.message));
    },
  };
}
