import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { describe, it } from 'node:test';

// The layer table is read from the architecture doc, so the rule and its record cannot drift apart.
const root = resolve(new URL('../../..', import.meta.url).pathname);
const architectureDoc = join(root, 'docs', 'architecture.md');

interface Workspace {
  readonly name: string;
  readonly folder: string;
  readonly dependencies: readonly string[];
  readonly devDependencies: readonly string[];
}

/** Package name → layer, from the table under "## Layers" in docs/architecture.md. */
async function layerTable(): Promise<Map<string, number>> {
  const text = await readFile(architectureDoc, 'utf8');
  const section = text.split(/^## /m).find((part) => part.startsWith('Layers'));
  assert.ok(section, `${architectureDoc} has a "## Layers" section`);
  const layers = new Map<string, number>();
  for (const row of section.split('\n')) {
    const cells = row.split('|').map((cell) => cell.trim());
    const layer = Number(cells[1]);
    if (!/^\d+$/.test(cells[1] ?? '') || !Number.isInteger(layer)) continue;
    for (const name of (cells[2] ?? '').matchAll(/`(@switchyard\/[a-z-]+)`/g))
      layers.set(name[1] as string, layer);
  }
  assert.ok(layers.size > 0, 'the layer table lists packages');
  return layers;
}

async function workspaces(): Promise<Workspace[]> {
  const found: Workspace[] = [];
  for (const parent of ['packages', 'apps', '.']) {
    const folders = parent === '.' ? ['bench'] : await readdir(join(root, parent));
    for (const folder of folders) {
      const path = join(root, parent, folder);
      const manifest = await readFile(join(path, 'package.json'), 'utf8').catch(() => undefined);
      if (!manifest) continue;
      const parsed = JSON.parse(manifest) as {
        name: string;
        dependencies?: Record<string, string>;
        devDependencies?: Record<string, string>;
      };
      const ours = (deps: Record<string, string> = {}) =>
        Object.keys(deps).filter((name) => name.startsWith('@switchyard/'));
      found.push({
        name: parsed.name,
        folder: path,
        dependencies: ours(parsed.dependencies),
        devDependencies: ours(parsed.devDependencies),
      });
    }
  }
  return found;
}

/**
 * What of another package a test, script or benchmark may import by path (decision 0008, amended in
 * decision 0033): its contract suites (`test/contract/`) and the helpers and fixtures its tests share
 * (`test/support/`). One shared suite still waits to move into the bus's `test/contract/`.
 */
const sharedTestPaths = [
  /^(packages|apps)\/[^/]+\/test\/(contract|support)\//,
  /^packages\/bus\/test\/outbox-concurrency-property\.ts$/,
];

/** Why reaching `target` (a path from the repository root, in another package) breaks the rule, or undefined. */
function unsharedReach(target: string): string | undefined {
  if (/^(packages|apps)\/[^/]+\/src\//.test(target)) return "reaches into another package's src/";
  if (/^(packages|apps)\/[^/]+\/test\//.test(target)) {
    return sharedTestPaths.some((shared) => shared.test(target))
      ? undefined
      : "reaches into another package's tests outside test/contract/ and test/support/";
  }
  if (target.startsWith('node_modules/')) return undefined;
  return 'reaches outside its package';
}

/** A workspace's test code: `test/` and `scripts/` of a package or app, every file of the benchmarks. */
async function testCodeOf(workspace: Workspace): Promise<string[]> {
  if (workspace.name === '@switchyard/bench')
    return (await sourceFiles(workspace.folder)).filter((file) => !file.includes('/node_modules/'));
  return [
    ...(await sourceFiles(join(workspace.folder, 'test'))),
    ...(await sourceFiles(join(workspace.folder, 'scripts'))),
  ];
}

async function sourceFiles(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { withFileTypes: true, recursive: true }).catch(() => []);
  return entries
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => join(entry.parentPath, entry.name));
}

/** Every module specifier a file imports or re-exports, static or dynamic. */
function importsOf(source: string): string[] {
  const specifiers: string[] = [];
  for (const match of source.matchAll(/(?:^|\n)\s*(?:import|export)\b[^'"`;]*?from\s*['"]([^'"]+)['"]/g)) {
    specifiers.push(match[1] as string);
  }
  for (const match of source.matchAll(/\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g))
    specifiers.push(match[1] as string);
  for (const match of source.matchAll(/(?:^|\n)\s*import\s*['"]([^'"]+)['"]/g))
    specifiers.push(match[1] as string);
  return specifiers;
}

describe('layering (docs/architecture.md)', () => {
  it('places every package of the workspace in the layer table', async () => {
    const layers = await layerTable();
    const missing = (await workspaces()).map((each) => each.name).filter((name) => !layers.has(name));
    assert.deepEqual(missing, [], 'add each to the table under "## Layers" in docs/architecture.md');
  });

  it('lets a package depend only on packages of lower layers (tests: also its own layer and the test support)', async () => {
    const layers = await layerTable();
    const broken: string[] = [];
    for (const workspace of await workspaces()) {
      const own = layers.get(workspace.name);
      if (own === undefined) continue; // reported by the test above
      for (const dependency of workspace.dependencies) {
        const theirs = layers.get(dependency);
        if (theirs === undefined || theirs >= own) {
          broken.push(
            `${workspace.name} (layer ${own}) depends on ${dependency} (layer ${theirs ?? 'none'})`,
          );
        }
      }
      for (const dependency of workspace.devDependencies) {
        const theirs = layers.get(dependency);
        if (dependency !== '@switchyard/testing' && (theirs === undefined || theirs > own)) {
          broken.push(
            `${workspace.name} (layer ${own}) tests with ${dependency} (layer ${theirs ?? 'none'})`,
          );
        }
      }
    }
    assert.deepEqual(broken, []);
  });

  it('imports from src/ only declared dependencies, through their public entry, and never reaches into another package', async () => {
    const broken: string[] = [];
    for (const workspace of await workspaces()) {
      const src = join(workspace.folder, 'src');
      for (const file of await sourceFiles(src)) {
        const where = relative(root, file);
        for (const specifier of importsOf(await readFile(file, 'utf8'))) {
          if (specifier.startsWith('.')) {
            const target = resolve(file, '..', specifier);
            if (!target.startsWith(`${workspace.folder}/`))
              broken.push(`${where} reaches outside its package: ${specifier}`);
            continue;
          }
          if (!specifier.startsWith('@switchyard/')) continue;
          const [scope, name, ...deep] = specifier.split('/');
          const packageName = `${scope}/${name}`;
          if (deep.length > 0) broken.push(`${where} imports a deep path: ${specifier}`);
          if (packageName !== workspace.name && !workspace.dependencies.includes(packageName)) {
            broken.push(
              `${where} imports ${packageName}, which ${workspace.name} does not list in its dependencies`,
            );
          }
        }
      }
    }
    assert.deepEqual(broken, []);
  });

  it("imports from test/, scripts/ and bench/ only declared packages, never another package's src/, and of its test/ only what it shares", async () => {
    const broken: string[] = [];
    for (const workspace of await workspaces()) {
      const declared = [...workspace.dependencies, ...workspace.devDependencies];
      for (const file of await testCodeOf(workspace)) {
        const where = relative(root, file);
        for (const specifier of importsOf(await readFile(file, 'utf8'))) {
          if (specifier.startsWith('.')) {
            const target = resolve(file, '..', specifier);
            if (target.startsWith(`${workspace.folder}/`)) continue;
            const reason = unsharedReach(relative(root, target));
            if (reason) broken.push(`${where} ${reason}: ${specifier}`);
            continue;
          }
          if (!specifier.startsWith('@switchyard/')) continue;
          const [scope, name, ...deep] = specifier.split('/');
          const packageName = `${scope}/${name}`;
          if (deep.length > 0) broken.push(`${where} imports a deep path: ${specifier}`);
          if (packageName !== workspace.name && !declared.includes(packageName)) {
            broken.push(
              `${where} imports ${packageName}, which ${workspace.name} does not list in its dependencies or devDependencies`,
            );
          }
        }
      }
    }
    assert.deepEqual(broken, []);
  });

  it('tells a shared test path from one private to its package (the rule itself works)', () => {
    assert.equal(unsharedReach('packages/bus/test/contract/transport-contract.ts'), undefined);
    assert.equal(unsharedReach('packages/bus/test/support/crash-loop.ts'), undefined);
    assert.equal(unsharedReach('packages/bus/test/outbox-concurrency-property.ts'), undefined);
    assert.equal(unsharedReach('packages/bus/src/bus/bus.ts'), "reaches into another package's src/");
    assert.equal(
      unsharedReach('packages/saga/test/saga-checker.test.ts'),
      "reaches into another package's tests outside test/contract/ and test/support/",
    );
    assert.equal(unsharedReach('apps/milkround/src/app.ts'), "reaches into another package's src/");
  });

  it('finds the imports it checks (the checker itself works)', () => {
    assert.deepEqual(
      importsOf(
        "import { a } from '@switchyard/bus';\nexport { b } from '../other/src/x.ts';\nimport type { C } from \"@switchyard/host/src/y.ts\";\n" +
          // Split, so that this file's own scan does not read the sample as an import of its own.
          ['const d = await import(', "'@switchyard/saga');"].join('') +
          "\nimport 'side-effect';",
      ),
      [
        '@switchyard/bus',
        '../other/src/x.ts',
        '@switchyard/host/src/y.ts',
        '@switchyard/saga',
        'side-effect',
      ],
    );
  });
});
