import { readFileSync, unlinkSync } from 'node:fs';
import { open, readFile, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { SwitchyardError } from '@switchyard/bus';

/** The file in a PGlite data folder that names the process holding it. */
const lockFileName = 'switchyard-owner.json';

/** Who holds an embedded database folder, as written in its lock file. */
interface LockOwner {
  readonly pid: number;
  readonly hostname: string;
  readonly command: string;
  readonly since: string;
}

/**
 * Another process has this embedded database open. PGlite is one process's database: two processes
 * writing one folder corrupt it, and one reading while the other writes sees stale pages.
 */
export class EmbeddedDatabaseLockedError extends SwitchyardError {
  readonly dataDir: string;
  readonly ownerPid: number;

  constructor(dataDir: string, owner: LockOwner) {
    super(
      'EMBEDDED_DATABASE_LOCKED',
      `The embedded database in "${dataDir}" is open in process ${owner.pid} (${owner.command}, since ${owner.since}). ` +
        'PGlite serves one process at a time: stop that process first, or run both on PostgreSQL by setting DATABASE_URL',
    );
    this.dataDir = dataDir;
    this.ownerPid = owner.pid;
  }
}

/** A held lock on a data folder; `release` gives it up (and is safe to call twice). */
export interface DirectoryLock {
  release(): Promise<void>;
}

/**
 * Takes the folder for this process: creates its lock file exclusively, naming this process. A lock
 * whose process is gone (killed, crashed) is stale and taken over; one whose process lives is refused
 * with `EmbeddedDatabaseLockedError`. The lock is also dropped when the process exits normally.
 */
export async function lockDataDirectory(dataDir: string): Promise<DirectoryLock> {
  const absolute = resolve(dataDir);
  const path = join(absolute, lockFileName);
  const me: LockOwner = {
    pid: process.pid,
    hostname: hostname(),
    command: process.argv.slice(1, 3).join(' ') || 'node',
    since: new Date().toISOString(),
  };
  // Two tries: the second after clearing a stale lock. A live owner, or a race lost twice, is refused.
  for (let attempt = 0; ; attempt += 1) {
    try {
      const file = await open(path, 'wx');
      await file.writeFile(JSON.stringify(me));
      await file.close();
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = await readOwner(path);
      if (attempt === 0 && (!owner || !isAlive(owner))) {
        await unlink(path).catch(() => {});
        continue;
      }
      throw new EmbeddedDatabaseLockedError(absolute, owner ?? { ...me, pid: -1, command: 'unknown' });
    }
  }
  let held = true;
  // A process that ends without closing the database must not leave the folder looking taken.
  const dropAtExit = () => {
    if (held) unlinkIfOurs(path);
  };
  process.once('exit', dropAtExit);
  return {
    async release() {
      if (!held) return;
      held = false;
      process.off('exit', dropAtExit);
      unlinkIfOurs(path);
    },
  };
}

async function readOwner(path: string): Promise<LockOwner | undefined> {
  try {
    const parsed = JSON.parse(await readFile(path, 'utf8')) as Partial<LockOwner>;
    if (typeof parsed.pid !== 'number') return undefined;
    return {
      pid: parsed.pid,
      hostname: String(parsed.hostname ?? ''),
      command: String(parsed.command ?? 'unknown'),
      since: String(parsed.since ?? 'unknown'),
    };
  } catch {
    return undefined; // half-written or unreadable: treated as stale
  }
}

/**
 * Whether the lock's owner still runs. A lock written on another machine (a shared folder) cannot be
 * checked from here, so it counts as alive: refusing is safe, taking it over is not.
 */
function isAlive(owner: LockOwner): boolean {
  if (owner.hostname !== hostname()) return true;
  try {
    process.kill(owner.pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes the lock file if this process still owns it (synchronous, so it can run at exit). */
function unlinkIfOurs(path: string): void {
  try {
    const owner = JSON.parse(readFileSync(path, 'utf8')) as Partial<LockOwner>;
    // Synchronous: an 'exit' listener cannot wait for a promise.
    if (owner.pid === process.pid) unlinkSync(path);
  } catch {
    // Gone already, or not ours: nothing to release.
  }
}
