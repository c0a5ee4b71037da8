import { randomBytes } from 'node:crypto';
import { open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { type Document, isMap, parseDocument, type YAMLMap } from 'yaml';
import { DesiredStateError } from '../slots-errors.ts';
import type { DesiredSlots, DesiredStateSource, ServiceCatalogue, ServiceSlots } from './desired-state.ts';
import { withFileLock } from './file-lock.ts';
import { parseDesiredState } from './parse-desired-state.ts';

/** Options of a desired state kept in a YAML file. */
export interface FileDesiredStateOptions {
  /** The application's services; with it, a service it does not have is refused. */
  readonly catalogue?: ServiceCatalogue | undefined;
  /** How long an update waits for another process's update to finish (default 10 s). */
  readonly lockTimeoutMs?: number | undefined;
}

const whatItHolds =
  'create it with, per service, its live slot, e.g. "services: { billing: { live: blue } }" (and, optionally, "slots: [blue, green]")';

/**
 * Desired state in a plain YAML file, meant to live in a git repository. Reads check it fully. Updates
 * edit the parsed document in place, so comments and key order survive, then replace the file
 * atomically (a temporary file renamed over it), so a reader sees the old file or the new, never half.
 * Two updates on one machine are serialised by a lock file beside it (`<file>.lock`, created with
 * O_EXCL); see file-lock.ts for how a lock left by a dead process is taken over.
 */
export class FileDesiredState implements DesiredStateSource {
  readonly description: string;
  readonly #path: string;
  readonly #catalogue: ServiceCatalogue | undefined;
  readonly #lockTimeoutMs: number;

  constructor(path: string, options: FileDesiredStateOptions = {}) {
    this.#path = path;
    this.description = path;
    this.#catalogue = options.catalogue;
    this.#lockTimeoutMs = options.lockTimeoutMs ?? 10_000;
  }

  async read(): Promise<DesiredSlots> {
    const document = await this.#readDocument();
    return parseDesiredState(document.toJS(), this.#path, this.#catalogue);
  }

  async update(
    service: string,
    change: (current: ServiceSlots | undefined) => ServiceSlots,
  ): Promise<DesiredSlots> {
    const lockPath = `${this.#path}.lock`;
    const outcome = await withFileLock(
      lockPath,
      { timeoutMs: this.#lockTimeoutMs, retryMs: 20 },
      async () => {
        const document = await this.#readDocument();
        const current = parseDesiredState(document.toJS(), this.#path, this.#catalogue);
        const next = change(current.services[service]);
        // Checked before anything is written: a change that breaks a rule leaves the file as it was.
        const checked = parseDesiredState(
          { slots: current.slots, services: { ...current.services, [service]: next } },
          this.#path,
          this.#catalogue,
        );
        const written = checked.services[service] as ServiceSlots;
        setService(document, service, written);
        await this.#replaceFile(document.toString({ flowCollectionPadding: false }));
        return parseDesiredState(document.toJS(), this.#path, this.#catalogue);
      },
    );
    if (!outcome.done) {
      throw new DesiredStateError(
        this.#path,
        '',
        `is being updated by another process (lock file ${lockPath}, held by pid ${outcome.holder}) for more than ${this.#lockTimeoutMs} ms; try again, or remove the lock file if no update is running`,
      );
    }
    return outcome.value;
  }

  async #readDocument(): Promise<Document> {
    let text: string;
    try {
      text = await readFile(this.#path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new DesiredStateError(this.#path, '', `does not exist; ${whatItHolds}`);
      }
      throw error;
    }
    const document = parseDocument(text, { prettyErrors: true });
    const problem = document.errors[0];
    if (problem) {
      const where = problem.linePos?.[0];
      const at = where ? ` at line ${where.line}, column ${where.col}` : '';
      const message = problem.message.split('\n')[0]?.replace(/ at line \d+, column \d+:?$/, '');
      throw new DesiredStateError(this.#path, '', `is not valid YAML${at}: ${message}`);
    }
    if (document.contents === null) throw new DesiredStateError(this.#path, '', `is empty; ${whatItHolds}`);
    return document;
  }

  /** Writes beside the file and renames over it: atomic on one file system, and flushed first. */
  async #replaceFile(text: string): Promise<void> {
    const temporary = join(
      dirname(this.#path),
      `.${basename(this.#path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`,
    );
    const mode = await stat(this.#path).then(
      (info) => info.mode & 0o777,
      () => 0o644,
    );
    const handle = await open(temporary, 'wx', mode);
    try {
      await handle.writeFile(text);
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      await rename(temporary, this.#path);
    } catch (error) {
      await unlink(temporary).catch(() => {});
      throw error;
    }
  }
}

/**
 * Writes one service's entry into the document field by field, so the comments on fields that stay
 * (and on the service itself) are kept; only what changed is replaced or removed.
 */
function setService(document: Document, service: string, slots: ServiceSlots): void {
  // The document was parsed as a mapping before this is called, so its root is a map.
  const services = mapAt(document, document.contents as YAMLMap, 'services');
  const entry = mapAt(document, services, service);
  entry.set('live', slots.live);
  if (slots.previous !== undefined) entry.set('previous', slots.previous);
  else entry.delete('previous');
  if (slots.canary) {
    const canary = mapAt(document, entry, 'canary');
    canary.set('slot', slots.canary.slot);
    canary.set('percent', slots.canary.percent);
    for (const key of keysOf(canary)) if (key !== 'slot' && key !== 'percent') canary.delete(key);
  } else {
    entry.delete('canary');
  }
  if (slots.versions && Object.keys(slots.versions).length > 0) {
    const versions = mapAt(document, entry, 'versions');
    for (const [slot, version] of Object.entries(slots.versions)) versions.set(slot, version);
    for (const key of keysOf(versions)) if (!Object.hasOwn(slots.versions, key)) versions.delete(key);
  } else {
    entry.delete('versions');
  }
}

/** The map under `key`, made (in block style) when it is missing or empty (`services:` with nothing). */
function mapAt(document: Document, parent: YAMLMap, key: string): YAMLMap {
  const existing = parent.get(key, true);
  if (isMap(existing)) return existing;
  const made = document.createNode({}) as YAMLMap;
  parent.set(key, made);
  return made;
}

function keysOf(map: YAMLMap): string[] {
  return map.items.map((pair) => String((pair.key as { value?: unknown } | null)?.value ?? pair.key));
}
