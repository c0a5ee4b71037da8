/**
 * Runs `work`, then `cleanup` whatever happens. An error nobody awaits (a connection lost while
 * another engineer restarts the broker or the database) would end the process without its `finally`
 * blocks, leaving durable queues and schemas behind; while `work` runs, such an error runs `cleanup`
 * first and then exits with 1. Ctrl-C and SIGTERM also clean up before exiting (and end the process
 * even while @node-ts/bus, which answers them by only stopping its bus, is running). `cleanup` runs
 * once either way.
 */
export async function withCleanup<T>(work: () => Promise<T>, cleanup: () => Promise<void>): Promise<T> {
  let cleaning: Promise<void> | undefined;
  const cleanOnce = () => {
    cleaning ??= cleanup();
    return cleaning;
  };
  const onUncaught = (error: Error) => {
    process.stderr.write(`${error.stack ?? error}\n`);
    void cleanOnce()
      .catch((cleanupError: unknown) => process.stderr.write(`cleanup failed: ${cleanupError}\n`))
      .finally(() => process.exit(1));
  };
  const onSignal = (signal: NodeJS.Signals) => {
    process.stderr.write(`${signal}: cleaning up before exiting\n`);
    void cleanOnce()
      .catch((cleanupError: unknown) => process.stderr.write(`cleanup failed: ${cleanupError}\n`))
      .finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  process.once('uncaughtException', onUncaught);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  let result: T;
  try {
    result = await work();
  } catch (error) {
    // The work's error is the one to report; a cleanup that fails as well (the server is still
    // down) only gets a line on stderr.
    await cleanOnce().catch((cleanupError: unknown) =>
      process.stderr.write(`cleanup after a failure failed too: ${cleanupError}\n`),
    );
    throw error;
  } finally {
    process.off('uncaughtException', onUncaught);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  await cleanOnce();
  return result;
}

/** Calls `attempt` until it succeeds, `attempts` times at most, `delayMs` apart: servers restart. */
export async function retrying<T>(attempts: number, delayMs: number, attempt: () => Promise<T>): Promise<T> {
  for (let tried = 1; ; tried++) {
    try {
      return await attempt();
    } catch (error) {
      if (tried >= attempts) throw error;
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }
}
