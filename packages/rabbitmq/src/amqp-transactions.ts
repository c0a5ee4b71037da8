import type { Channel } from 'amqplib';

/**
 * AMQP 0-9-1 transactions (class 90: select 10/11, commit 20/21), which amqplib implements on the wire
 * but does not expose; its channels send any method through `rpc`, with ids encoded as class << 16 | method.
 * A transaction makes a channel's publishes and acknowledgements take effect together at the commit:
 * what moves a message between queues uses it so that a crash leaves the message where it was.
 */
interface RpcChannel {
  rpc(method: number, fields: object, expect: number): Promise<unknown>;
}

/** Puts the channel in transaction mode: its publishes and acks wait for `txCommit`. */
export async function txSelect(channel: Channel): Promise<void> {
  await (channel as unknown as RpcChannel).rpc((90 << 16) | 10, {}, (90 << 16) | 11);
}

/** Makes what the channel published and acknowledged since the last commit take effect. */
export async function txCommit(channel: Channel): Promise<void> {
  await (channel as unknown as RpcChannel).rpc((90 << 16) | 20, {}, (90 << 16) | 21);
}
