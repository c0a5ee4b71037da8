import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  type ListeningProcess,
  postgresForTests,
  rabbitmqForTests,
  startListeningProcess,
  type TestDatabase,
  type TestVhost,
} from '@switchyard/testing';
import amqp from 'amqplib';
import { exitCodes } from '../src/index.ts';

/*
 * Runs the command examples of every README, so that the docs cannot drift from the product.
 *
 * What is run: each line of a ```sh block (a trailing `\` joins the next line; `# ...` comments are
 * dropped) whose command, after any `NAME=value` assignments, is `yard`, `npx yard`, `curl` or
 * `npm start`. Other npm lines (install, test, lint) are the build itself, which CI runs; they are skipped.
 * Everything runs through `sh -c` from the repository root, against the reference app (milkround, which
 * the root package.json names), on a fresh PostgreSQL database and RabbitMQ vhost.
 *
 * The substitution rule, applied before running a line:
 * - `npm install && ` at the start is dropped (the install is done).
 * - An optional argument in brackets (`[--force]`) is left out.
 * - `<id>` is the id of a message the test puts into `orders_error` first, so `errors show` finds one.
 * - Any other `<placeholder>` (`<deliveryId>`) becomes an id the app does not have: that command must
 *   then exit 3 (not found) with its one-line message, which still proves the command, the saga name
 *   and the arguments are right (a wrong one exits 2).
 * - `postgres://…` and `amqp://…` are the test's database and vhost; `http://host:3000` is the app.
 * - `curl` gets `-sS -o /dev/null -w '%{http_code}'` appended, so the test reads the HTTP status.
 *
 * What passes: `yard` exits 0 (3 where a placeholder was made up); `curl` exits 0 with a status below
 * 400; a line ending in `start` logs the URL it listens on (on port 0), then exits 0 on SIGTERM. The
 * `npm start` lines that set no DATABASE_URL run embedded, in a fresh data folder, as a new user's do;
 * all other lines get DATABASE_URL and RABBITMQ_URL. No line may print a stack trace.
 */

const root = resolve(import.meta.dirname, '../../..');
const postgres = await postgresForTests();
const rabbitmq = await rabbitmqForTests();
const knownMessageId = 'readme-example-message';
/** `NAME=value ` before a command; the value may be a `$(...)` substitution with spaces in it. */
const assignments = String.raw`(?:[A-Z_][A-Z0-9_]*=(?:\$\([^)]*\)|\S*)\s+)*`;

/** One command line of a README, where it stands. */
interface Example {
  readonly where: string;
  readonly text: string;
}

/** The runnable lines of the ```sh blocks of `file` (see the rule above). */
function examplesOf(markdown: string, where: string): Example[] {
  const examples: Example[] = [];
  let inShell = false;
  let pending = '';
  let startLine = 0;
  for (const [index, raw] of markdown.split('\n').entries()) {
    if (/^```/.test(raw)) {
      inShell = !inShell && /^```(sh|bash|shell)\s*$/.test(raw);
      continue;
    }
    if (!inShell) continue;
    if (pending === '') startLine = index + 1;
    const line = raw.replace(/(^|\s)#(\s.*)?$/, '').trimEnd();
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1).trim()} `;
      continue;
    }
    const text = (pending + line.trim()).trim();
    pending = '';
    const command = text.replace(new RegExp(`^${assignments}`), '').replace(/^npm install && /, '');
    if (/^(npx )?yard\b|^curl\b|^npm start\b/.test(command))
      examples.push({ where: `${where}:${startLine}`, text });
  }
  return examples;
}

function readmes(): string[] {
  const files = ['README.md'];
  for (const folder of ['packages', 'apps']) {
    for (const name of readdirSync(join(root, folder)).sort()) {
      if (existsSync(join(root, folder, name, 'README.md'))) files.push(join(folder, name, 'README.md'));
    }
  }
  return files;
}

const examples = readmes().flatMap((file) => examplesOf(readFileSync(join(root, file), 'utf8'), file));
// A command shown in two READMEs is run once.
const distinct = [...new Map(examples.map((each) => [each.text, each])).values()];

interface Prepared {
  readonly command: string;
  readonly madeUpId: boolean;
}

function prepare(
  text: string,
  values: { databaseUrl: string; rabbitmqUrl: string; appUrl: string },
): Prepared {
  let madeUpId = false;
  let command = text
    .replace(new RegExp(`^(${assignments})npm install && `), '$1')
    .replace(/\s*\[--[^\]]*\]/g, '')
    .replaceAll('<id>', knownMessageId)
    .replace(/<[A-Za-z]+>/g, () => {
      madeUpId = true;
      return 'readme-unknown-id';
    })
    .replaceAll('postgres://…', values.databaseUrl)
    .replaceAll('amqp://…', values.rabbitmqUrl)
    .replaceAll('http://host:3000', values.appUrl);
  if (isCurl(command)) command += " -sS -o /dev/null -w '%{http_code}'";
  return { command, madeUpId };
}

function isCurl(command: string): boolean {
  return new RegExp(`^${assignments}curl\\b`).test(command);
}

/** Runs a line to its end: exit code and what it printed. */
async function run(
  command: string,
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; out: string; err: string }> {
  const child = spawn('sh', ['-c', command], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const [out, err] = collect(child);
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, out: out(), err: err() };
}

function collect(child: ChildProcess): [() => string, () => string] {
  let out = '';
  let err = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk;
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    err += chunk;
  });
  return [() => out, () => err];
}

/** Runs a line that starts a process until it logs its URL, then stops it with SIGTERM; resolves with its exit code. */
async function startAndStop(
  command: string,
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; log: string }> {
  // Its own process group, so that whatever happens the test leaves nothing of it running.
  const child = spawn('sh', ['-c', command], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const [out, err] = collect(child);
  const exited = once(child, 'exit') as Promise<[number | null]>;
  // The host's start line, whole: a JSON log line (the output is no terminal) with its pid and URL.
  const running = /^\{[^\n]*"pid":(\d+)[^\n]*"url":"http[^\n]*\}$/m;
  try {
    const deadline = Date.now() + 120_000;
    while (!running.test(out())) {
      if (child.exitCode !== null || Date.now() > deadline)
        assert.fail(`"${command}" did not start:\n${out()}\n${err()}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    // SIGTERM to the app alone (its pid is in its log), as a process manager stops it: npm and the shell
    // then pass its exit code on, which is what the line's user sees.
    process.kill(Number(running.exec(out())?.[1]), 'SIGTERM');
    const [code] = await exited;
    return { code, log: `${out()}\n${err()}` };
  } finally {
    if (child.exitCode === null) {
      try {
        process.kill(-(child.pid as number), 'SIGKILL');
      } catch {
        // Gone already.
      }
    }
  }
}

describe('the command examples of every README', { skip: postgres.skip || rabbitmq.skip }, () => {
  let database: TestDatabase;
  let vhost: TestVhost;
  let dataDir: string;
  let app: ListeningProcess;
  let serverEnv: NodeJS.ProcessEnv;
  let embeddedEnv: NodeJS.ProcessEnv;
  const token = randomBytes(24).toString('hex');

  before(async () => {
    database = await postgres.createDatabase();
    vhost = await rabbitmq.createVhost();
    dataDir = await mkdtemp(join(tmpdir(), 'yard-readme-'));
    const base = {
      PATH: `${join(root, 'node_modules', '.bin')}:${process.env.PATH ?? ''}`,
      HOME: process.env.HOME ?? tmpdir(),
      SWITCHYARD_HTTP__PORT: '0',
    };
    serverEnv = {
      ...base,
      DATABASE_URL: database.url,
      RABBITMQ_URL: vhost.url,
      SWITCHYARD_OPERATIONS_TOKEN: token,
    };
    embeddedEnv = { ...base, SWITCHYARD_DATABASE__DATA_DIR: dataDir };
    app = await startListeningProcess(join(root, 'packages', 'cli', 'src', 'bin', 'yard.ts'), {
      args: ['start'],
      env: serverEnv,
    });
    // A failed message for `errors list|show|retry|purge orders_error` to find.
    const connection = await amqp.connect(vhost.url);
    try {
      const channel = await connection.createConfirmChannel();
      channel.sendToQueue('orders_error', Buffer.from('{"not":"an envelope"}'), {
        persistent: true,
        messageId: knownMessageId,
        headers: { 'Switchyard-Source-Queue': 'orders', 'MT-Fault-Message': 'put there by the README test' },
      });
      await channel.waitForConfirms();
    } finally {
      await connection.close();
    }
  });

  after(async () => {
    if (app) {
      app.child.kill('SIGTERM');
      await once(app.child, 'exit').catch(() => {});
    }
    await vhost?.delete();
    await database?.drop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('finds the examples: yard and npm start in the CLI and root READMEs, curl in the host README', () => {
    const texts = distinct.map((each) => each.text);
    assert.ok(
      texts.some((text) => text.startsWith('npx yard errors list')),
      texts.join('\n'),
    );
    assert.ok(texts.some((text) => text.includes('curl ')));
    assert.ok(texts.some((text) => text.endsWith('npm start')));
  });

  for (const example of distinct) {
    it(`${example.where}: ${example.text}`, { timeout: 180_000 }, async () => {
      const { command, madeUpId } = prepare(example.text, {
        databaseUrl: database.url,
        rabbitmqUrl: vhost.url,
        appUrl: app.url,
      });
      if (/\bstart$/.test(command)) {
        const env = /\bDATABASE_URL=/.test(command) || /\byard\b/.test(command) ? serverEnv : embeddedEnv;
        const { code, log } = await startAndStop(command, env);
        assert.equal(code, 0, `"${command}" stopped with ${code}:\n${log.slice(-2000)}`);
        return;
      }
      const { code, out, err } = await run(command, serverEnv);
      assert.doesNotMatch(err, /^\s+at /m, `no stack trace from "${command}":\n${err}`);
      if (isCurl(command)) {
        assert.equal(code, 0, err);
        assert.ok(Number(out) > 0 && Number(out) < 400, `"${command}" answered ${out}`);
        return;
      }
      const expected = madeUpId ? exitCodes.notFound : exitCodes.ok;
      assert.equal(code, expected, `"${command}" exited ${code}:\n${err}${out.slice(0, 1000)}`);
      if (madeUpId) assert.equal(err.trim().split('\n').at(-1)?.includes('readme-unknown-id'), true, err);
    });
  }

  it('runs from a subfolder too: the CLI finds the app and its configuration from anywhere in the project', async () => {
    const { code, err } = await run(
      `cd ${relative(root, join(root, 'packages'))} && npx yard topology plan`,
      serverEnv,
    );
    assert.equal(code, exitCodes.ok, err);
  });
});
