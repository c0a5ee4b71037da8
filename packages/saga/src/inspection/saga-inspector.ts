import type { SagaStore, SagaTransition, TransactionRunner } from '@switchyard/bus';
import type { AnySagaDefinition } from '../definition/define-saga.ts';
import { type HeldMessage, instanceFromRecord } from '../runtime/saga-instance.ts';

/** How to name an instance: its id, or one of its correlation keys. */
export type SagaLookup = { readonly id: string } | { readonly key: string; readonly value: string };

/** An instance as tooling shows it: state, data, keys, what it holds and waits for, and its timeline. */
export interface SagaView {
  readonly sagaType: string;
  readonly id: string;
  /** Undefined when the instance was removed (finalized); its timeline remains. */
  readonly state: string | undefined;
  readonly data: unknown;
  readonly keys: Readonly<Record<string, string>>;
  readonly version: number | undefined;
  readonly held: readonly HeldMessage[];
  /** Scheduled events the instance waits for, with their tokens. */
  readonly scheduled: Readonly<Record<string, string>>;
  /** The last applied sequence number per stream. */
  readonly sequences: Readonly<Record<string, number>>;
  readonly timeline: readonly SagaTransition[];
}

/** Reads saga instances and their timelines for the CLI, the console and tests. */
export class SagaInspector<Tx> {
  readonly #definition: AnySagaDefinition;
  readonly #store: SagaStore<Tx>;
  readonly #transactions: TransactionRunner<Tx>;

  constructor(
    definition: AnySagaDefinition,
    options: { store: SagaStore<Tx>; transactions: TransactionRunner<Tx> },
  ) {
    this.#definition = definition;
    this.#store = options.store;
    this.#transactions = options.transactions;
  }

  /** The instance named by `lookup`; a removed instance found by id shows its timeline only; undefined if unknown. */
  async find(lookup: SagaLookup): Promise<SagaView | undefined> {
    const sagaType = this.#definition.name;
    const record = await this.#transactions.transaction((tx) =>
      'id' in lookup
        ? this.#store.load(tx, sagaType, lookup.id)
        : this.#store.findByKey(tx, sagaType, lookup.key, lookup.value),
    );
    if (!record) {
      if (!('id' in lookup)) return undefined;
      const timeline = await this.#store.timeline(sagaType, lookup.id);
      if (timeline.length === 0) return undefined;
      return {
        sagaType,
        id: lookup.id,
        state: undefined,
        data: undefined,
        keys: {},
        version: undefined,
        held: [],
        scheduled: {},
        sequences: {},
        timeline,
      };
    }
    const instance = instanceFromRecord(record);
    return {
      sagaType,
      id: record.id,
      state: record.state,
      data: instance.data,
      keys: record.keys,
      version: record.version,
      held: instance.bookkeeping.held,
      scheduled: instance.bookkeeping.timeouts,
      sequences: instance.bookkeeping.sequences,
      timeline: await this.#store.timeline(sagaType, record.id),
    };
  }
}
