/**
 * Gathers values from many callers into one statement: while a run is in flight, new values wait and
 * go together in the next one. Each caller's promise settles with the run that carried its value, so
 * an acknowledgement still resolves only once the row is gone.
 */
export class BatchedStatement<T> {
  readonly #run: (values: T[]) => Promise<void>;
  #waiting: { value: T; resolve: () => void; reject: (error: unknown) => void }[] = [];
  #running = false;

  constructor(run: (values: T[]) => Promise<void>) {
    this.#run = run;
  }

  add(value: T): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#waiting.push({ value, resolve, reject });
      if (!this.#running) void this.#drain();
    });
  }

  async #drain(): Promise<void> {
    this.#running = true;
    try {
      while (this.#waiting.length > 0) {
        const batch = this.#waiting;
        this.#waiting = [];
        try {
          await this.#run(batch.map((each) => each.value));
          for (const each of batch) each.resolve();
        } catch (error) {
          for (const each of batch) each.reject(error);
        }
      }
    } finally {
      this.#running = false;
    }
  }
}
