import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { it } from 'node:test';
import { fileURLToPath } from 'node:url';

const modulesRoot = join(dirname(fileURLToPath(import.meta.url)), '..', 'src', 'modules');

async function sourceFiles(directory: string): Promise<string[]> {
  const entries = await readdir(directory, { withFileTypes: true });
  const nested = await Promise.all(
    entries.map((entry) =>
      entry.isDirectory()
        ? sourceFiles(join(directory, entry.name))
        : entry.name.endsWith('.ts')
          ? [join(directory, entry.name)]
          : [],
    ),
  );
  return nested.flat();
}

/** The module a path belongs to (its first folder under src/modules), or undefined outside them. */
function moduleOf(path: string): string | undefined {
  const inside = relative(modulesRoot, path);
  return inside.startsWith('..') ? undefined : inside.split(sep)[0];
}

it('lets a module import another module only through its contracts.ts', async () => {
  const violations: string[] = [];
  const files = await sourceFiles(modulesRoot);
  assert.ok(files.length > 5, 'the modules have source files');
  for (const file of files) {
    const source = await readFile(file, 'utf8');
    for (const match of source.matchAll(
      /(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g,
    )) {
      const specifier = match[1] ?? match[2] ?? '';
      if (!specifier.startsWith('.')) continue;
      const target = resolve(dirname(file), specifier);
      const from = moduleOf(file);
      const to = moduleOf(target);
      if (to === undefined || to === from) continue;
      if (relative(join(modulesRoot, to), target) !== 'contracts.ts') {
        violations.push(`${relative(modulesRoot, file)} imports ${specifier}`);
      }
    }
  }
  assert.deepEqual(violations, [], 'cross-module imports other than contracts.ts');
});
