import type { TransactionOptions, TransactionRunner } from '../ports/transaction.ts';

/**
 * A transaction on a `MemoryDatabase`, as the in-memory stores see it: they stage their writes on it,
 * and the database applies them when the work resolves or drops them when it throws.
 */
export interface MemoryTransaction {
  /** The database the transaction runs on. */
  readonly database: MemoryDatabase;
  /** This transaction's view of `map`: reads see its staged writes, which reach `map` only on commit. */
  stage<K, V>(map: Map<K, V>): StagedMap<K, V>;
  /** Runs `action` when the transaction commits, after the actions and staged maps registered before it. */
  onCommit(action: () => void): void;
}

/**
 * The in-memory stand-in for a database: named tables of committed state that several stores (and
 * several instances of one store, like several processes) share, and transactions over them.
 * Transactions run one at a time, so nothing interleaves with them but the stores' non-transactional
 * calls. A transaction therefore must not wait for another one to start: it would wait forever.
 */
export class MemoryDatabase implements TransactionRunner<MemoryTransaction> {
  readonly #tables = new Map<string, unknown>();
  #lastTransaction: Promise<unknown> = Promise.resolve();

  /** The committed state of the table `name`, made by `create` the first time any store asks for it. */
  table<T>(name: string, create: () => T): T {
    if (!this.#tables.has(name)) this.#tables.set(name, create());
    return this.#tables.get(name) as T;
  }

  transaction<T>(work: (tx: MemoryTransaction) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
    const run = this.#lastTransaction.then(() => this.#run(work, options.signal));
    // The next transaction waits for this one to end, whether it commits or not.
    this.#lastTransaction = run.catch(() => undefined);
    return run;
  }

  async #run<T>(work: (tx: MemoryTransaction) => Promise<T>, signal: AbortSignal | undefined): Promise<T> {
    signal?.throwIfAborted();
    const tx = new RunningTransaction(this);
    let result: T;
    try {
      result = await work(tx);
    } catch (error) {
      tx.end(false);
      throw signal?.aborted ? signal.reason : error;
    }
    if (signal?.aborted) {
      // The work finished after its caller gave up on it, who may already be retrying it elsewhere.
      tx.end(false);
      throw signal.reason;
    }
    tx.end(true);
    return result;
  }
}

/** Throws unless `tx` runs on `database`; `store` names the caller in the message. */
export function assertTransactionOf(database: MemoryDatabase, tx: MemoryTransaction, store: string): void {
  if (tx.database !== database) {
    throw new Error(
      `${store} was given a transaction of another MemoryDatabase; run the transaction on the database the ${store} was made with`,
    );
  }
}

const removed = Symbol('removed');

/** A transaction's pending writes to one map, read over the map's committed entries. */
export class StagedMap<K, V> {
  readonly #committed: Map<K, V>;
  readonly #writes = new Map<K, V | typeof removed>();

  constructor(committed: Map<K, V>) {
    this.#committed = committed;
  }

  get(key: K): V | undefined {
    if (!this.#writes.has(key)) return this.#committed.get(key);
    const value = this.#writes.get(key);
    return value === removed ? undefined : value;
  }

  has(key: K): boolean {
    return this.#writes.has(key) ? this.#writes.get(key) !== removed : this.#committed.has(key);
  }

  set(key: K, value: V): void {
    this.#writes.set(key, value);
  }

  delete(key: K): void {
    this.#writes.set(key, removed);
  }

  /** Writes the staged changes into the committed map. */
  apply(): void {
    for (const [key, value] of this.#writes) {
      if (value === removed) this.#committed.delete(key);
      else this.#committed.set(key, value);
    }
  }
}

class RunningTransaction implements MemoryTransaction {
  readonly database: MemoryDatabase;
  #running = true;
  readonly #stagedMaps = new Map<object, unknown>();
  readonly #commitActions: (() => void)[] = [];

  constructor(database: MemoryDatabase) {
    this.database = database;
  }

  stage<K, V>(map: Map<K, V>): StagedMap<K, V> {
    this.#assertRunning();
    const existing = this.#stagedMaps.get(map) as StagedMap<K, V> | undefined;
    if (existing) return existing;
    const staged = new StagedMap(map);
    this.#stagedMaps.set(map, staged);
    this.#commitActions.push(() => staged.apply());
    return staged;
  }

  onCommit(action: () => void): void {
    this.#assertRunning();
    this.#commitActions.push(action);
  }

  /** Commits (runs every action in order) or discards; either way the handle is dead afterwards. */
  end(commit: boolean): void {
    this.#running = false;
    if (commit) for (const action of this.#commitActions) action();
  }

  #assertRunning(): void {
    if (!this.#running) {
      throw new Error(
        'This MemoryTransaction has ended (its work already resolved or threw); a store was called with it afterwards',
      );
    }
  }
}
