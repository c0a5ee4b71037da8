import { open, readFile, stat, unlink } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';

/** How long to wait for another writer, and how often to look. */
export interface FileLockOptions {
  readonly timeoutMs: number;
  readonly retryMs: number;
}

/**
 * Runs `work` while holding `lockPath`, a file created with O_EXCL: of two processes on one machine
 * only one creates it, the other waits. The file holds the holder's pid, so a lock left by a process
 * that died (killed mid-update) is taken over instead of blocking every later update for good.
 * Reports the holder instead when the lock could not be had within the timeout.
 */
export async function withFileLock<T>(
  lockPath: string,
  options: FileLockOptions,
  work: () => Promise<T>,
): Promise<{ readonly done: true; readonly value: T } | { readonly done: false; readonly holder: string }> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    const handle = await open(lockPath, 'wx').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'EEXIST') return undefined;
      throw error;
    });
    if (handle) {
      try {
        await handle.writeFile(`${process.pid}\n`);
      } finally {
        await handle.close();
      }
      try {
        return { done: true, value: await work() };
      } finally {
        await unlink(lockPath).catch(() => {});
      }
    }
    const holder = await readFile(lockPath, 'utf8').catch(() => '');
    if (holderIsGone(holder) || (await leftEmpty(lockPath, holder))) {
      // Taking over is not atomic: two waiters that both saw the dead holder could, in a window of
      // microseconds, have one unlink the lock the other just made. Locks are left behind only by a
      // crash, so this is accepted rather than paid for on every update.
      await unlink(lockPath).catch(() => {});
      continue;
    }
    if (Date.now() >= deadline) return { done: false, holder: holder.trim() || 'unknown' };
    await sleep(options.retryMs);
  }
}

/** A holder writes its pid right after creating the file; empty for long means it died in between. */
async function leftEmpty(lockPath: string, holder: string): Promise<boolean> {
  if (holder.trim() !== '') return false;
  const info = await stat(lockPath).catch(() => undefined);
  return info !== undefined && Date.now() - info.mtimeMs > emptyLockGraceMs;
}

const emptyLockGraceMs = 5_000;

/** True when the lock names a pid that no longer runs on this machine. */
function holderIsGone(holder: string): boolean {
  const pid = Number(holder.trim());
  // An empty file is a holder between create and write: give it time rather than steal.
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
