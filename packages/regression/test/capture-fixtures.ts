import { massTransitJsonCodec, type Transport, type TransportMessage, uuidv7 } from '@switchyard/bus';

// Publishing as an environment would: MassTransit JSON envelopes on a message type's fanout exchange.
export const orderPlacedExchange = 'Milkround.Orders:OrderPlaced';

export function envelopeMessage(correlationId: string, index: number): TransportMessage {
  const messageId = uuidv7();
  return {
    messageId,
    correlationId,
    contentType: massTransitJsonCodec.contentType,
    body: massTransitJsonCodec.encode({
      messageId,
      correlationId,
      messageType: ['urn:message:Milkround.Orders:OrderPlaced'],
      message: { orderId: correlationId, index },
      sentTime: new Date().toISOString(),
      headers: {},
    }),
    headers: {},
  };
}

export function unreadableMessage(): TransportMessage {
  return {
    messageId: uuidv7(),
    contentType: massTransitJsonCodec.contentType,
    body: Buffer.from('{"this is": "not an envelope"'),
    headers: {},
  };
}

export async function publishAll(transport: Transport, messages: readonly TransportMessage[]): Promise<void> {
  for (const each of messages) await transport.publish(orderPlacedExchange, each);
}
