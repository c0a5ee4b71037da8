/**
 * Which slot is live per service: data, not code. The release work writes it (a file in a git
 * repository); operators change it with `yard slots switch`. The reconciler reads it on every loop.
 */
export interface DesiredSlots {
  /** The slot names services may run in, in the order shown (default `blue`, `green`). */
  readonly slots: readonly string[];
  /** By service (an application module): its live slot and, optionally, a canary. */
  readonly services: Readonly<Record<string, ServiceSlots>>;
}

/** One service's desired routing. */
export interface ServiceSlots {
  /** Where new conversations go (all of them, or all but the canary's share). */
  readonly live: string;
  /** The slot that was live before the last switch: where a rollback goes. */
  readonly previous?: string | undefined;
  /** A share of new conversations sent to another slot; affinity keeps each where it started. */
  readonly canary?: CanaryShare | undefined;
  /** The version each slot runs, as the release work records it; shown by `yard slots status`. */
  readonly versions?: Readonly<Record<string, string>> | undefined;
}

/** `percent` of new conversations (whole percent, 1–99) go to `slot`. */
export interface CanaryShare {
  readonly slot: string;
  readonly percent: number;
}

/** What a running system's services are: the catalogue a desired state is checked against. */
export interface ServiceCatalogue {
  /** Service name → its receive endpoints (names as the bus knows them, unslotted). */
  readonly services: Readonly<Record<string, readonly CatalogueEndpoint[]>>;
}

/** One receive endpoint of a service, with the queue type its slot processes declare. */
export interface CatalogueEndpoint {
  readonly name: string;
  readonly queueType: 'classic' | 'quorum';
}

/** Where desired state lives: a YAML file or a PostgreSQL table. */
export interface DesiredStateSource {
  /** Where it is, for messages: a file path or a table name. */
  readonly description: string;
  /** Reads and checks it; a bad one throws DesiredStateError naming the path and the rule. */
  read(): Promise<DesiredSlots>;
  /**
   * Changes one service's entry (creating it if absent) and returns the new state. Read, change and
   * write are one step: two operators switching at once do not lose either's change silently.
   */
  update(service: string, change: (current: ServiceSlots | undefined) => ServiceSlots): Promise<DesiredSlots>;
}

/** The slot names when the state names none. */
export const defaultSlotNames: readonly string[] = Object.freeze(['blue', 'green']);
