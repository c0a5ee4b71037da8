import { createServer, type Server, type Socket, connect as tcpConnect } from 'node:net';

/** A TCP proxy to an AMQP broker that, once armed, stops passing the client's bytes at its next tx.commit. */
export interface CommitStallingProxy {
  readonly port: number;
  /** From now on, the first tx.commit a client sends, and all it sends after, never reach the broker. */
  stallAtNextCommit(): void;
  /** Whether a commit was held back. */
  readonly stalled: boolean;
  close(): Promise<void>;
}

/** The method frame of tx.commit: class 90 (tx), method 20 (commit), with no arguments. */
const txCommitPayload = Buffer.from([0x00, 0x5a, 0x00, 0x14]);

/**
 * Starts the proxy on 127.0.0.1 (a free port) to `target`. What a stalled client sends is read and
 * dropped, not paused, so that the client's close still reaches the broker as a dropped link: the
 * broker then sees what it would see from a client that gave up on a broker that stopped reading.
 */
export async function startCommitStallingProxy(target: {
  host: string;
  port: number;
}): Promise<CommitStallingProxy> {
  const sockets = new Set<Socket>();
  let armed = false;
  let stalled = false;
  const server: Server = createServer((client) => {
    const upstream = tcpConnect(target.port, target.host);
    let holding = false;
    for (const socket of [client, upstream]) {
      socket.setNoDelay(true);
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => {});
    }
    client.on('data', (chunk: Buffer) => {
      if (!holding && armed) {
        // A frame's payload starts 7 bytes in (type, channel, size); tx.commit's is these 4 bytes.
        const at = chunk.indexOf(txCommitPayload);
        if (at >= 7 && chunk[at - 7] === 1) {
          holding = true;
          stalled = true;
          upstream.write(chunk.subarray(0, at - 7));
          return;
        }
      }
      if (!holding) upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => client.write(chunk));
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('The proxy did not get a TCP port');
  return {
    port: address.port,
    stallAtNextCommit: () => {
      armed = true;
    },
    get stalled() {
      return stalled;
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
