import type { TransportMessage } from '@switchyard/bus';

/** A small transport message whose body is its id (or `body`), for tests that count which messages arrived. */
export function textMessage(id: string, body: string = id): TransportMessage {
  return { messageId: id, contentType: 'text/plain', body: Buffer.from(body), headers: {} };
}
