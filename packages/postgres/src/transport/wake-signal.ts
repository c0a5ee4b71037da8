/** Lets a loop sleep until a deadline or until something wakes it, whichever comes first. */
export class WakeSignal {
  #wake: (() => void) | undefined;
  #pending = false;

  /** Wakes the sleeper now, or makes its next sleep return at once. */
  notify(): void {
    if (this.#wake) this.#wake();
    else this.#pending = true;
  }

  /** Resolves after `ms`, or earlier when notified (also for a notification that came while awake). */
  async sleep(ms: number): Promise<void> {
    if (this.#pending) {
      this.#pending = false;
      return;
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.#wake = done;
    });
    this.#wake = undefined;
    this.#pending = false;
  }
}
