import { createServer, type Server, type Socket, connect as tcpConnect } from 'node:net';

/** A TCP proxy a test controls, to cut the network between a client and a server on demand. */
export interface TcpProxy {
  /** The local port clients connect to. */
  readonly port: number;
  /** Drops every open connection, as a failed network link would. */
  cut(): void;
  /** Refuses (drops at once) new connections until `restore()`. */
  block(): void;
  restore(): void;
  close(): Promise<void>;
}

/** Starts a proxy on 127.0.0.1 (a free port) that forwards to `target`. */
export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  let blocked = false;
  const server: Server = createServer((client) => {
    if (blocked) {
      client.destroy();
      return;
    }
    const upstream = tcpConnect(target.port, target.host);
    for (const socket of [client, upstream]) {
      // Without this, Nagle's algorithm and delayed acks add tens of milliseconds per round trip.
      socket.setNoDelay(true);
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => {});
    }
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('The proxy did not get a TCP port');
  const cut = () => {
    for (const socket of sockets) socket.destroy();
  };
  return {
    port: address.port,
    cut,
    block: () => {
      blocked = true;
    },
    restore: () => {
      blocked = false;
    },
    close: async () => {
      cut();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
