import { connect, type Socket } from 'node:net';
import {
  CoreConnectionLostError,
  CoreProtocolError,
  CoreTimeoutError,
  CoreUnavailableError,
} from '../legacy-core-problems.ts';
import { parseReply, type Reply, recordEnd, splitRecords } from '../protocol/records.ts';

/** Reads the replies to one request: `more` to keep collecting, `done` when the answer is whole. */
export type ReplyCollector = (reply: Reply) => 'more' | 'done';

interface Pending {
  readonly collect: ReplyCollector;
  readonly replies: Reply[];
  readonly resolve: (replies: Reply[]) => void;
  readonly reject: (error: Error) => void;
  readonly timer: NodeJS.Timeout;
}

/**
 * One logged-on session with the core, carrying one request at a time. A session that times out is
 * closed rather than reused: the late reply would otherwise be read as the answer to the next request.
 */
export class CoreSession {
  readonly #socket: Socket;
  #buffered = '';
  #pending: Pending | undefined;
  #closedBecause: Error | undefined;

  private constructor(socket: Socket) {
    this.#socket = socket;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.#read(chunk));
    socket.on('error', (error) => {
      this.#closedBecause ??= error;
    });
    socket.on('close', () => this.#lost());
  }

  /** Connects and logs on; any failure is a CoreUnavailableError (nothing was sent). */
  static async open(host: string, port: number, terminalId: string, timeoutMs: number): Promise<CoreSession> {
    const socket = connect({ host, port });
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no connection within ${timeoutMs} ms`)), timeoutMs);
        socket.once('connect', () => {
          clearTimeout(timer);
          resolve();
        });
        socket.once('error', (error) => {
          clearTimeout(timer);
          reject(error);
        });
      });
    } catch (error) {
      socket.destroy();
      throw new CoreUnavailableError(
        `cannot connect to the core at ${host}:${port}: ${(error as Error).message}`,
        {
          cause: error,
        },
      );
    }
    const session = new CoreSession(socket);
    let replies: Reply[];
    try {
      replies = await session.exchange(`LGON|${terminalId}`, () => 'done', timeoutMs);
    } catch (error) {
      session.close();
      throw new CoreUnavailableError(
        `logon to the core at ${host}:${port} failed: ${(error as Error).message}`,
        {
          cause: error,
        },
      );
    }
    const reply = replies[0];
    if (reply?.type !== 'LGOK') {
      session.close();
      const text = reply?.type === 'LGRJ' ? `${reply.status} ${reply.text}` : reply?.type;
      throw new CoreUnavailableError(`the core at ${host}:${port} refused the logon: ${text}`);
    }
    return session;
  }

  get alive(): boolean {
    return !this.#closedBecause && !this.#socket.destroyed;
  }

  /** Sends one request line and collects its replies; rejects with the uncertain-outcome errors. */
  exchange(line: string, collect: ReplyCollector, timeoutMs: number): Promise<Reply[]> {
    if (this.#pending)
      return Promise.reject(new CoreProtocolError('a session carries one request at a time'));
    if (!this.alive) return Promise.reject(new CoreConnectionLostError('the session had already closed'));
    return new Promise<Reply[]>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#settle(
          new CoreTimeoutError(`no reply from the core within ${timeoutMs} ms to ${line.slice(0, 4)}`),
        );
        this.close();
      }, timeoutMs);
      this.#pending = { collect, replies: [], resolve, reject, timer };
      this.#socket.write(line + recordEnd, 'latin1');
    });
  }

  /** Ends the session (logging off politely if it is idle). */
  close(): void {
    if (!this.#pending && this.#socket.writable) this.#socket.end(`LGOF${recordEnd}`, 'latin1');
    else this.#socket.destroy();
    this.#closedBecause ??= new Error('closed by the client');
  }

  #read(chunk: Buffer): void {
    this.#buffered += chunk.toString('latin1');
    const { records, rest, overflow } = splitRecords(this.#buffered);
    this.#buffered = rest;
    for (const line of records) {
      if (line === 'LGBY') continue;
      const pending = this.#pending;
      let reply: Reply;
      try {
        reply = parseReply(line);
      } catch (error) {
        this.#broken(`unreadable reply ${JSON.stringify(line.slice(0, 40))}: ${(error as Error).message}`);
        return;
      }
      if (!pending) {
        this.#broken(`a reply nobody asked for: ${line.slice(0, 40)}`);
        return;
      }
      pending.replies.push(reply);
      if (pending.collect(reply) === 'done') {
        clearTimeout(pending.timer);
        this.#pending = undefined;
        pending.resolve(pending.replies);
      }
    }
    if (overflow) this.#broken('a reply longer than any record');
  }

  #broken(message: string): void {
    this.#settle(new CoreProtocolError(message));
    this.#socket.destroy();
  }

  #lost(): void {
    this.#closedBecause ??= new Error('closed by the core');
    this.#settle(
      new CoreConnectionLostError('the core closed the session before replying', {
        cause: this.#closedBecause,
      }),
    );
  }

  #settle(error: Error): void {
    const pending = this.#pending;
    if (!pending) return;
    this.#pending = undefined;
    clearTimeout(pending.timer);
    pending.reject(error);
  }
}
