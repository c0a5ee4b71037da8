import type { MessageType } from '../contracts/message-type.ts';
import type { Envelope } from '../envelope/envelope.ts';

/** Something the harness saw happen to a message. */
export interface Observed<T = unknown> {
  readonly envelope: Envelope<T>;
  readonly message: T;
}

interface Waiter<R> {
  readonly matches: (record: R) => boolean;
  readonly resolve: (record: R) => void;
}

/**
 * An append-only record of messages with waits that resolve the moment a matching record arrives
 * (or at once, if one already has): tests never sleep and hope.
 */
export class MessageLog<R extends Observed> {
  readonly #records: R[] = [];
  readonly #waiters = new Set<Waiter<R>>();
  readonly #what: string;

  constructor(what: string) {
    this.#what = what;
  }

  add(record: R): void {
    this.#records.push(record);
    for (const waiter of this.#waiters) {
      if (waiter.matches(record)) {
        this.#waiters.delete(waiter);
        waiter.resolve(record);
      }
    }
  }

  all(): readonly R[] {
    return [...this.#records];
  }

  /** Records whose message is of `type`. */
  ofType<T>(type: MessageType<T>): (R & Observed<T>)[] {
    return this.#records.filter((record) => isOfType(record, type)) as (R & Observed<T>)[];
  }

  /** Resolves with the first record of `type` matching `where`, waiting up to `timeoutMs` for it. */
  waitFor<T>(
    type: MessageType<T>,
    where: (record: R & Observed<T>) => boolean = () => true,
    timeoutMs = 5_000,
  ): Promise<R & Observed<T>> {
    const matches = (record: R) => isOfType(record, type) && where(record as R & Observed<T>);
    const existing = this.#records.find(matches);
    if (existing) return Promise.resolve(existing as R & Observed<T>);
    return new Promise((resolve, reject) => {
      const waiter: Waiter<R> = {
        matches,
        resolve: (record) => {
          clearTimeout(timer);
          resolve(record as R & Observed<T>);
        },
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(waiter);
        reject(
          new Error(
            `No ${type.name} was ${this.#what} within ${timeoutMs}ms (${this.#what}: ${this.#summary() || 'nothing'})`,
          ),
        );
      }, timeoutMs);
      this.#waiters.add(waiter);
    });
  }

  /** Resolves once `count` records of `type` exist, with all of them. */
  async waitForCount<T>(
    type: MessageType<T>,
    count: number,
    timeoutMs = 5_000,
  ): Promise<(R & Observed<T>)[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.ofType(type).length < count) {
      const seen = this.ofType(type).length;
      const remaining = deadline - Date.now();
      if (remaining <= 0)
        throw new Error(`Only ${seen} of ${count} ${type.name} were ${this.#what} within ${timeoutMs}ms`);
      await this.waitFor(type, () => this.ofType(type).length > seen, remaining).catch(() => undefined);
    }
    return this.ofType(type);
  }

  #summary(): string {
    const counts = new Map<string, number>();
    for (const record of this.#records) {
      const name = record.envelope.messageType[0] ?? '?';
      counts.set(name, (counts.get(name) ?? 0) + 1);
    }
    return [...counts].map(([name, count]) => `${count} × ${name}`).join(', ');
  }
}

function isOfType(record: Observed, type: MessageType<unknown>): boolean {
  return record.envelope.messageType.includes(type.urn);
}
