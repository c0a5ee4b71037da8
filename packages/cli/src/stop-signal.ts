/**
 * A signal that aborts when the process gets SIGINT (Ctrl-C) or SIGTERM, or when `given` aborts (a
 * caller that runs `yard` in its own process, such as a test). While it is held, those signals end
 * the watch loop instead of the process, so the loop can close its connections and exit 0.
 */
export function stopSignal(given?: AbortSignal): { signal: AbortSignal; release(): void } {
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  given?.addEventListener('abort', stop, { once: true });
  if (given?.aborted) stop();
  return {
    signal: controller.signal,
    release() {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      given?.removeEventListener('abort', stop);
    },
  };
}

/** Waits `ms`, or less if `signal` aborts first; never rejects. */
export function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
