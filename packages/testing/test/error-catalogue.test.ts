import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { describe, it } from 'node:test';

// docs/errors.md is read against the code: the catalogue and the codes cannot drift apart.
const root = resolve(new URL('../../..', import.meta.url).pathname);
const catalogueDoc = join(root, 'docs', 'errors.md');

/** What the code says about one error code. */
interface Declared {
  readonly owner: string;
  readonly file: string;
}

/** What the catalogue says. */
interface Documented {
  /** Code → the package whose section lists it. */
  readonly live: ReadonlyMap<string, string>;
  readonly retired: ReadonlySet<string>;
}

const declarationBlock = /interface SwitchyardErrorCodes \{([^}]*)\}/g;

/** Every source file of the packages and apps, with the name of the workspace it belongs to. */
async function sourceFiles(): Promise<{ file: string; workspace: string }[]> {
  const files: { file: string; workspace: string }[] = [];
  for (const parent of ['packages', 'apps']) {
    for (const folder of await readdir(join(root, parent))) {
      const manifest = await readFile(join(root, parent, folder, 'package.json'), 'utf8').catch(() => '{}');
      const workspace = (JSON.parse(manifest) as { name?: string }).name ?? folder;
      const src = join(root, parent, folder, 'src');
      const entries = await readdir(src, { recursive: true }).catch(() => [] as string[]);
      for (const entry of entries)
        if (entry.endsWith('.ts')) files.push({ file: join(src, entry), workspace });
    }
  }
  return files;
}

/** Codes declared in `SwitchyardErrorCodes` (with their owner), and the text of src without those blocks. */
async function codeBase(): Promise<{ declared: Map<string, Declared>; rest: string }> {
  const declared = new Map<string, Declared>();
  let rest = '';
  for (const { file, workspace } of await sourceFiles()) {
    const text = await readFile(file, 'utf8');
    for (const block of text.matchAll(declarationBlock)) {
      for (const entry of (block[1] ?? '').matchAll(/^\s*([A-Z][A-Z0-9_]*)\??:\s*'([^']+)'/gm)) {
        const code = entry[1] as string;
        const earlier = declared.get(code);
        assert.ok(!earlier, `${code} is declared twice: in ${earlier?.file} and ${relative(root, file)}`);
        assert.equal(
          entry[2],
          workspace,
          `${code} in ${relative(root, file)} names its own package as owner`,
        );
        declared.set(code, { owner: entry[2] as string, file: relative(root, file) });
      }
    }
    rest += `${text.replace(declarationBlock, '')}\n`;
  }
  return { declared, rest };
}

/** The codes of each package's table, and of the retired table, in docs/errors.md. */
function readCatalogue(text: string): Documented {
  const live = new Map<string, string>();
  const retired = new Set<string>();
  for (const section of text.split(/^## /m).slice(1)) {
    const heading = section.split('\n')[0]?.trim() ?? '';
    for (const row of section.split('\n')) {
      const cells = row.split('|').map((cell) => cell.trim());
      const code = /^`([A-Z][A-Z0-9_]*)`$/.exec(cells[1] ?? '')?.[1];
      if (!code) continue;
      assert.ok(!live.has(code) && !retired.has(code), `${code} is listed twice in docs/errors.md`);
      if (heading === 'Retired codes') retired.add(code);
      else {
        assert.ok(
          cells.slice(2, 5).every((cell) => cell.length > 0),
          `${code} in docs/errors.md says who raises it, what it means and what to do`,
        );
        live.set(code, heading);
      }
    }
  }
  return { live, retired };
}

/** Every way the catalogue and the code disagree, as sentences; empty when they agree. */
function disagreements(
  declared: ReadonlyMap<string, Declared>,
  raised: (code: string) => boolean,
  documented: Documented,
): string[] {
  const found: string[] = [];
  for (const [code, { owner, file }] of declared) {
    const listedUnder = documented.live.get(code);
    if (documented.retired.has(code))
      found.push(
        `${code} is retired in docs/errors.md but declared again in ${file}: give the new meaning a new code`,
      );
    else if (listedUnder === undefined)
      found.push(`${code} (declared in ${file}) is missing from docs/errors.md: add it under "## ${owner}"`);
    else if (listedUnder !== owner)
      found.push(
        `${code} is listed under "${listedUnder}" in docs/errors.md but ${owner} declares it (${file})`,
      );
    if (!raised(code))
      found.push(
        `${code} is declared in ${file} but raised nowhere: remove it, and move its row to "Retired codes"`,
      );
  }
  for (const code of declared.keys()) {
    // One underscore between words: the problem type URI (code in kebab case) then maps back to one code.
    if (!/^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$/.test(code))
      found.push(`${code} is not a code: write it in capitals, words joined by one underscore`);
  }
  for (const [code, heading] of documented.live) {
    if (!declared.has(code))
      found.push(
        `${code} is listed under "${heading}" in docs/errors.md but no package declares or raises it: move it to "Retired codes"`,
      );
  }
  return found;
}

describe('the error catalogue, docs/errors.md', () => {
  it('lists every code the packages and apps declare and raise, under the package that owns it, and no other', async () => {
    const { declared, rest } = await codeBase();
    assert.ok(declared.size > 20, `found the declared codes (${declared.size})`);
    const documented = readCatalogue(await readFile(catalogueDoc, 'utf8'));
    const raised = (code: string) => rest.includes(`'${code}'`);
    assert.deepEqual(disagreements(declared, raised, documented), []);
  });

  it('finds a code missing from the catalogue, a stale row, one never raised, one reused, one misplaced and one misnamed', () => {
    const declared = new Map<string, Declared>([
      ['KEPT', { owner: '@switchyard/bus', file: 'packages/bus/src/errors.ts' }],
      ['UNLISTED', { owner: '@switchyard/bus', file: 'packages/bus/src/errors.ts' }],
      ['NEVER_RAISED', { owner: '@switchyard/bus', file: 'packages/bus/src/errors.ts' }],
      ['REUSED', { owner: '@switchyard/bus', file: 'packages/bus/src/errors.ts' }],
      ['MISPLACED', { owner: '@switchyard/postgres', file: 'packages/postgres/src/postgres-errors.ts' }],
      ['BAD__NAME', { owner: '@switchyard/bus', file: 'packages/bus/src/errors.ts' }],
    ]);
    const documented = readCatalogue(
      [
        '# Error codes',
        '## @switchyard/bus',
        '| code | raised by | meaning | what to do | decision |',
        '|---|---|---|---|---|',
        '| `KEPT` | KeptError | kept | nothing | — |',
        '| `NEVER_RAISED` | GoneError | gone | nothing | — |',
        '| `MISPLACED` | MisplacedError | misplaced | nothing | — |',
        '| `STALE` | StaleError | stale | nothing | — |',
        '| `BAD__NAME` | BadError | badly named | nothing | — |',
        '## Retired codes',
        '| code | package | meaning | retired |',
        '|---|---|---|---|',
        '| `REUSED` | @switchyard/bus | an old meaning | 0.1.0 |',
      ].join('\n'),
    );
    const problems = disagreements(declared, (code) => code !== 'NEVER_RAISED', documented);
    assert.deepEqual(
      problems.map((each) => each.split(' ')[0]),
      ['UNLISTED', 'NEVER_RAISED', 'REUSED', 'MISPLACED', 'BAD__NAME', 'STALE'],
    );
  });
});
