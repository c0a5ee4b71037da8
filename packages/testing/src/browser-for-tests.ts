import { access } from 'node:fs/promises';
import { requirementFor, type TestEnvironment } from './service-requirement.ts';

/** What a browser test gets: skip it, or the Chromium to launch and the flags this machine needs. */
export interface BrowserForTests {
  readonly skip: string | false;
  /** The Chromium executable (CHROMIUM_PATH). */
  readonly executablePath: string;
  /** Headless, and quiet on a machine without outside network: no background connections at start. */
  readonly args: readonly string[];
}

/**
 * Reads CHROMIUM_PATH (`.ci/run` installs Debian's chromium and sets it). Skips outside CI when unset;
 * fails in CI when unset, and always when it names no file.
 */
export async function browserForTests(env: TestEnvironment = process.env): Promise<BrowserForTests> {
  const requirement = requirementFor('Chromium', 'CHROMIUM_PATH', env);
  if (requirement.kind === 'fail') throw new Error(requirement.reason);
  if (requirement.kind === 'skip') return { skip: requirement.reason, executablePath: '', args: [] };
  try {
    await access(requirement.url);
  } catch {
    throw new Error(
      `CHROMIUM_PATH is ${requirement.url}, which does not exist. Install Chromium (apt-get install chromium) or unset CHROMIUM_PATH to skip browser tests outside CI.`,
    );
  }
  return {
    skip: false,
    executablePath: requirement.url,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  };
}
