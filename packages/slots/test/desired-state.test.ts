import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { stringify } from 'yaml';
import { type DesiredSlots, defaultSlotNames } from '../src/desired-state/desired-state.ts';
import { FileDesiredState } from '../src/desired-state/file-desired-state.ts';
import { parseDesiredState } from '../src/desired-state/parse-desired-state.ts';
import { DesiredStateError } from '../src/slots-errors.ts';
import { desiredStateContract } from './contract/desired-state-contract.ts';

const folders: string[] = [];
after(async () => {
  for (const folder of folders) await rm(folder, { recursive: true, force: true });
});

async function freshFolder(): Promise<string> {
  const folder = await mkdtemp(join(tmpdir(), 'yard-slots-'));
  folders.push(folder);
  return folder;
}

/** Asserts `work` throws DesiredStateError at `path` with a message containing `rule`. */
function refuses(work: () => unknown, path: string, rule: string | RegExp): void {
  assert.throws(work, (error: unknown) => {
    assert.ok(error instanceof DesiredStateError, `expected DesiredStateError, got ${String(error)}`);
    assert.equal(error.path, path);
    if (typeof rule === 'string')
      assert.ok(error.message.includes(rule), `"${error.message}" lacks "${rule}"`);
    else assert.match(error.message, rule);
    return true;
  });
}

describe('parseDesiredState', () => {
  const parse = (raw: unknown) => parseDesiredState(raw, 'deploy/slots.yaml');

  it('reads a full state, defaulting the slots to blue and green', () => {
    const state = parse({
      services: {
        billing: { live: 'blue', canary: { slot: 'green', percent: 10 }, versions: { blue: '2026.12.1' } },
        orders: { live: 'green', canary: null, versions: null },
      },
    });
    assert.deepEqual(state, {
      slots: defaultSlotNames,
      services: {
        billing: { live: 'blue', canary: { slot: 'green', percent: 10 }, versions: { blue: '2026.12.1' } },
        orders: { live: 'green' },
      },
    });
  });

  it('takes no services, and no services key, as a state with none', () => {
    assert.deepEqual(parse({ services: {} }).services, {});
    assert.deepEqual(parse({ slots: ['a', 'b'] }), { slots: ['a', 'b'], services: {} });
  });

  it('names the source, the path and the rule in the message', () => {
    assert.throws(() => parse({ services: { billing: { live: 'purple' } } }), {
      name: 'DesiredStateError',
      source: 'deploy/slots.yaml',
      path: 'services.billing.live',
      message: 'deploy/slots.yaml: services.billing.live: is "purple", not one of the slots (blue, green)',
    });
  });

  it('refuses a document that is not a mapping', () => {
    refuses(() => parse(null), '', 'is missing, not the desired state (a mapping of slots, services)');
    refuses(() => parse(['blue']), '', 'is a list, not the desired state');
  });

  it('refuses unknown keys, naming them and the keys allowed', () => {
    refuses(
      () => parse({ service: {} }),
      '',
      'has unknown key "service"; the desired state may have only slots, services',
    );
    refuses(
      () => parse({ services: { billing: { live: 'blue', colour: 'red', weight: 1 } } }),
      'services.billing',
      'has unknown keys "colour", "weight"; a service may have only live, previous, canary, versions',
    );
    refuses(
      () =>
        parse({
          services: { billing: { live: 'blue', canary: { slot: 'green', percent: 5, sticky: true } } },
        }),
      'services.billing.canary',
      'has unknown key "sticky"; a canary may have only slot, percent',
    );
  });

  it('refuses slots that are not a list of distinct slot names', () => {
    refuses(() => parse({ slots: 'blue' }), 'slots', 'is "blue", not a list of slot names');
    refuses(() => parse({ slots: [] }), 'slots', 'is empty; list at least one slot name');
    refuses(() => parse({ slots: ['blue', 3] }), 'slots[1]', 'is 3, not a slot name');
    refuses(
      () => parse({ slots: ['blue', 'Green'] }),
      'slots[1]',
      'is "Green", not a slot name: a lower-case letter',
    );
    refuses(() => parse({ slots: ['blue', 'b'.repeat(32)] }), 'slots[1]', 'not a slot name');
    refuses(
      () => parse({ slots: ['blue', 'green', 'blue'] }),
      'slots[2]',
      'repeats "blue"; list each slot once',
    );
    assert.deepEqual(parse({ slots: ['only'], services: { billing: { live: 'only' } } }).slots, ['only']);
  });

  it('refuses a service without a live slot, or with one not in the list', () => {
    refuses(
      () => parse({ services: { billing: {} } }),
      'services.billing.live',
      'is missing, not a slot name',
    );
    refuses(() => parse({ services: { billing: 'blue' } }), 'services.billing', 'is "blue", not a service');
    refuses(
      () => parse({ slots: ['a', 'b'], services: { billing: { live: 'blue' } } }),
      'services.billing.live',
      'is "blue", not one of the slots (a, b)',
    );
  });

  it('refuses a canary on an unknown slot, on the live slot, or with a share that is not 1–99 whole', () => {
    const withCanary = (canary: unknown) => () => parse({ services: { billing: { live: 'blue', canary } } });
    refuses(
      withCanary({ slot: 'red', percent: 5 }),
      'services.billing.canary.slot',
      'is "red", not one of the slots',
    );
    refuses(
      withCanary({ slot: 'blue', percent: 5 }),
      'services.billing.canary.slot',
      'is "blue", the live slot',
    );
    refuses(
      withCanary({ slot: 'green' }),
      'services.billing.canary.percent',
      'is missing, not a whole percent from 1 to 99',
    );
    for (const percent of [0, 100, 12.5, -3]) {
      refuses(
        withCanary({ slot: 'green', percent }),
        'services.billing.canary.percent',
        `is ${percent}, not a whole percent from 1 to 99`,
      );
    }
    refuses(
      withCanary({ slot: 'green', percent: '10' }),
      'services.billing.canary.percent',
      'is "10", not a whole percent',
    );
    assert.deepEqual(
      parse({ services: { billing: { live: 'blue', canary: { slot: 'green', percent: 99 } } } }).services
        .billing?.canary,
      {
        slot: 'green',
        percent: 99,
      },
    );
  });

  it('reads the previous slot, refusing one not in the list, the live slot itself, or a non-name', () => {
    const withPrevious = (previous: unknown) => () =>
      parse({ services: { billing: { live: 'blue', previous } } });
    assert.deepEqual(withPrevious('green')().services.billing, { live: 'blue', previous: 'green' });
    // Left empty (`previous:` in YAML) it is absent, as an empty canary is.
    assert.deepEqual(withPrevious(null)().services.billing, { live: 'blue' });
    refuses(withPrevious('red'), 'services.billing.previous', 'is "red", not one of the slots (blue, green)');
    refuses(
      withPrevious('blue'),
      'services.billing.previous',
      'is "blue", the live slot; previous names the slot live before it',
    );
    refuses(withPrevious(3), 'services.billing.previous', 'is 3, not a slot name');
  });

  it('refuses versions for a slot not in the list, and versions that are not non-empty strings', () => {
    const withVersions = (versions: unknown) => () =>
      parse({ services: { billing: { live: 'blue', versions } } });
    refuses(
      withVersions({ red: '1' }),
      'services.billing.versions.red',
      'names slot "red", not one of the slots (blue, green)',
    );
    refuses(withVersions({ blue: '' }), 'services.billing.versions.blue', 'is empty, not a version');
    refuses(
      withVersions({ blue: 2026.1 }),
      'services.billing.versions.blue',
      'quote a version that looks like a number',
    );
    refuses(withVersions(['1']), 'services.billing.versions', 'is a list, not a mapping of slot → version');
  });

  it('writes odd service names in brackets so the path can be found', () => {
    refuses(
      () => parse({ services: { 'order desk': { live: 'red' } } }),
      'services["order desk"].live',
      'is "red"',
    );
  });

  it('with a catalogue, refuses a service the application does not have, naming the ones it has', () => {
    const catalogue = { services: { orders: [], billing: [] } };
    refuses(
      () => parseDesiredState({ services: { invoicing: { live: 'blue' } } }, 'deploy/slots.yaml', catalogue),
      'services.invoicing',
      'is not a service of this application (its services: billing, orders)',
    );
    assert.deepEqual(
      parseDesiredState({ services: { billing: { live: 'blue' } } }, 'deploy/slots.yaml', catalogue).services,
      { billing: { live: 'blue' } },
    );
  });
});

desiredStateContract('YAML file', async (options) => {
  const folder = await freshFolder();
  const path = join(folder, 'slots.yaml');
  return {
    source: new FileDesiredState(path, options),
    another: async () => new FileDesiredState(path, options),
    seed: (state: DesiredSlots) => writeFile(path, stringify(state)),
    dispose: () => rm(folder, { recursive: true, force: true }),
  };
});

describe('FileDesiredState', () => {
  it('refuses a missing file, saying what it should hold', async () => {
    const path = join(await freshFolder(), 'slots.yaml');
    const source = new FileDesiredState(path);
    for (const attempt of [() => source.read(), () => source.update('billing', () => ({ live: 'blue' }))]) {
      await assert.rejects(attempt(), (error: unknown) => {
        assert.ok(error instanceof DesiredStateError);
        assert.equal(error.source, path);
        assert.match(
          error.message,
          /does not exist; create it with, per service, its live slot, e\.g\. "services: \{ billing: \{ live: blue \} \}"/,
        );
        return true;
      });
    }
    await assert.rejects(stat(path), { code: 'ENOENT' });
  });

  it('refuses YAML that does not parse, naming the line and column', async () => {
    const path = join(await freshFolder(), 'slots.yaml');
    await writeFile(path, 'services:\n  billing:\n    live: blue\n   orders: [\n');
    await assert.rejects(new FileDesiredState(path).read(), (error: unknown) => {
      assert.ok(error instanceof DesiredStateError);
      assert.equal(error.path, '');
      assert.match(error.message, /slots\.yaml: is not valid YAML at line \d+, column \d+: \S/);
      return true;
    });
  });

  it('refuses an empty file, or one of comments only, saying what it should hold', async () => {
    const path = join(await freshFolder(), 'slots.yaml');
    for (const text of ['', '# nothing yet\n']) {
      await writeFile(path, text);
      await assert.rejects(new FileDesiredState(path).read(), {
        path: '',
        message: new RegExp(`^${path}: is empty; create it with, per service, its live slot`),
      });
    }
  });

  it('refuses a key given twice rather than taking either', async () => {
    const path = join(await freshFolder(), 'slots.yaml');
    await writeFile(path, 'services:\n  billing:\n    live: blue\n    live: green\n');
    await assert.rejects(
      new FileDesiredState(path).read(),
      /is not valid YAML at line 4, column 5: Map keys must be unique/,
    );
  });

  it('refuses a file breaking a rule with the file as the source', async () => {
    const path = join(await freshFolder(), 'slots.yaml');
    await writeFile(path, 'services:\n  billing:\n    live: purple\n');
    await assert.rejects(new FileDesiredState(path).read(), {
      source: path,
      path: 'services.billing.live',
      message: `${path}: services.billing.live: is "purple", not one of the slots (blue, green)`,
    });
  });

  it('keeps comments, key order and style when it updates, and changes only what changed', async () => {
    const path = join(await freshFolder(), 'slots.yaml');
    await writeFile(
      path,
      [
        '# Written by the release work; switch with `yard slots switch`.',
        'slots: [blue, green]',
        'services:',
        '  # Takes the money: canary first.',
        '  orders:',
        '    live: green # since the December release',
        '  billing:',
        '    live: blue',
        '    canary:',
        '      slot: green',
        '      percent: 10',
        '',
      ].join('\n'),
    );
    await new FileDesiredState(path).update('billing', () => ({
      live: 'green',
      versions: { green: '2026.12' },
    }));
    assert.equal(
      await readFile(path, 'utf8'),
      [
        '# Written by the release work; switch with `yard slots switch`.',
        'slots: [blue, green]',
        'services:',
        '  # Takes the money: canary first.',
        '  orders:',
        '    live: green # since the December release',
        '  billing:',
        '    live: green',
        '    versions:',
        '      green: "2026.12"',
        '',
      ].join('\n'),
    );
  });

  it('fills in a "services:" left empty', async () => {
    const path = join(await freshFolder(), 'slots.yaml');
    await writeFile(path, 'services:\n');
    const state = await new FileDesiredState(path).update('billing', () => ({ live: 'blue' }));
    assert.deepEqual(state, { slots: ['blue', 'green'], services: { billing: { live: 'blue' } } });
    assert.equal(await readFile(path, 'utf8'), 'services:\n  billing:\n    live: blue\n');
  });

  it('replaces the file whole, leaving no temporary or lock file behind', async () => {
    const folder = await freshFolder();
    const path = join(folder, 'slots.yaml');
    await writeFile(path, 'services: {}\n', { mode: 0o640 });
    await new FileDesiredState(path).update('billing', () => ({ live: 'blue' }));
    assert.deepEqual(await readdir(folder), ['slots.yaml']);
    assert.equal((await stat(path)).mode & 0o777, 0o640);
  });

  it('takes over a lock left by a process that died, and waits for one that lives', async () => {
    const folder = await freshFolder();
    const path = join(folder, 'slots.yaml');
    await writeFile(path, 'services: {}\n');
    const dead = await exitedPid();
    await writeFile(`${path}.lock`, `${dead}\n`);
    await new FileDesiredState(path).update('billing', () => ({ live: 'blue' }));
    assert.deepEqual((await new FileDesiredState(path).read()).services, { billing: { live: 'blue' } });

    // The parent of this test process is alive: its lock is respected until the timeout.
    await writeFile(`${path}.lock`, `${process.ppid}\n`);
    await assert.rejects(
      new FileDesiredState(path, { lockTimeoutMs: 200 }).update('billing', () => ({ live: 'green' })),
      (error: unknown) => {
        assert.ok(error instanceof DesiredStateError);
        assert.match(
          error.message,
          new RegExp(
            `is being updated by another process \\(lock file .*slots\\.yaml\\.lock, held by pid ${process.ppid}\\)`,
          ),
        );
        return true;
      },
    );
    assert.deepEqual((await new FileDesiredState(path).read()).services, { billing: { live: 'blue' } });
  });

  it('takes over an empty lock file once it is old: a holder that died between creating and writing it', async () => {
    const path = join(await freshFolder(), 'slots.yaml');
    await writeFile(path, 'services: {}\n');
    await writeFile(`${path}.lock`, '');
    const old = new Date(Date.now() - 60_000);
    await utimes(`${path}.lock`, old, old);
    await new FileDesiredState(path, { lockTimeoutMs: 1_000 }).update('billing', () => ({ live: 'blue' }));
    assert.deepEqual((await new FileDesiredState(path).read()).services, { billing: { live: 'blue' } });
  });

  it('loses no update when another operating-system process updates the same file at once', async () => {
    const path = join(await freshFolder(), 'slots.yaml');
    await writeFile(path, 'services:\n  billing:\n    live: blue\n    versions:\n      blue: "0"\n');
    const each = 25;
    const script = `
      import { FileDesiredState } from ${JSON.stringify(new URL('../src/desired-state/file-desired-state.ts', import.meta.url).href)};
      const source = new FileDesiredState(${JSON.stringify(path)});
      process.stdout.write('ready\\n');
      for (let i = 0; i < ${each}; i++) {
        await source.update('billing', (current) => ({ live: 'blue', versions: { blue: String(Number(current.versions.blue) + 1) } }));
      }`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    // Both start together once the child has loaded, so their updates really interleave.
    await new Promise((resolve) => child.stdout.once('data', resolve));
    const source = new FileDesiredState(path);
    for (let index = 0; index < each; index++) {
      await source.update('billing', (current) => ({
        live: 'blue',
        versions: { blue: String(Number(current?.versions?.blue) + 1) },
      }));
    }
    assert.equal(await exited, 0);
    assert.deepEqual((await source.read()).services.billing?.versions, { blue: String(each * 2) });
  });
});

/** The pid of a process that has exited, so no process runs with it (for the next moments at least). */
async function exitedPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  await new Promise((resolve) => child.on('exit', resolve));
  return child.pid as number;
}
