import assert from 'node:assert/strict';
import { access, readdir, readFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { describe, it } from 'node:test';

// The shape written in docs/architecture.md ("The shape of a package"), held by a test.
const root = resolve(new URL('../../..', import.meta.url).pathname);

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

async function sourcesOf(src: string): Promise<string[]> {
  const entries = await readdir(src, { recursive: true });
  return entries.filter((entry) => entry.endsWith('.ts')).map((entry) => join(src, entry));
}

/** The package's errors file: `src/NAME-errors.ts`, the bus's `src/errors.ts`. */
function errorsFileOf(folder: string): string {
  return folder === 'bus' ? 'errors.ts' : `${folder}-errors.ts`;
}

const declaresCodes = /interface SwitchyardErrorCodes \{/;

/** Packages whose README teaches by commands rather than a ```ts program, and the test that runs them. */
const readmeRunners: Readonly<Record<string, string>> = { cli: 'test/readme-commands.int.test.ts' };

describe('the shape of every package', async () => {
  const folders = await readdir(join(root, 'packages'));

  it('has a README, a package.json and src/index.ts as its entry', async () => {
    for (const folder of folders) {
      for (const part of ['README.md', 'package.json', 'src/index.ts'])
        assert.ok(await exists(join(root, 'packages', folder, part)), `packages/${folder}/${part} exists`);
    }
  });

  it('declares its error codes in its errors file, and nowhere else', async () => {
    for (const folder of folders) {
      const src = join(root, 'packages', folder, 'src');
      const errorsFile = join(src, errorsFileOf(folder));
      let raises = false;
      for (const file of await sourcesOf(src)) {
        const text = await readFile(file, 'utf8');
        if (/extends SwitchyardError|extends ConfigurationError/.test(text)) raises = true;
        if (declaresCodes.test(text))
          assert.equal(file, errorsFile, `packages/${folder} declares error codes only in its errors file`);
      }
      if (!raises) continue;
      const text = await readFile(errorsFile, 'utf8').catch(() => '');
      assert.ok(
        declaresCodes.test(text),
        `packages/${folder} raises errors, so src/${errorsFileOf(folder)} declares their codes`,
      );
    }
  });

  it('keeps its topology in src/topology/, for each package the architecture doc names with one', async () => {
    const doc = await readFile(join(root, 'docs', 'architecture.md'), 'utf8');
    const named = [...doc.matchAll(/`([a-z-]+)\/src\/topology\/`/g)].map((match) => match[1] as string);
    assert.ok(named.includes('rabbitmq'), 'the doc names the packages with a topology folder');
    for (const folder of named) {
      const src = join(root, 'packages', folder, 'src');
      assert.ok(await exists(join(src, 'topology')), `packages/${folder}/src/topology/ exists`);
      const astray = (await sourcesOf(src)).filter(
        (file) => basename(file).startsWith('topology') && !file.startsWith(join(src, 'topology')),
      );
      assert.deepEqual(astray, [], `packages/${folder}: topology files outside src/topology/`);
    }
  });

  it('has a README whose first ```ts example a test of the package runs', async () => {
    const missing: string[] = [];
    for (const folder of folders) {
      const readme = await readFile(join(root, 'packages', folder, 'README.md'), 'utf8').catch(() => '');
      const exception = readmeRunners[folder];
      if (exception) {
        if (!(await exists(join(root, 'packages', folder, exception))))
          missing.push(`packages/${folder}: ${exception}, which runs its README, is gone`);
        continue;
      }
      if (!readme.includes('```ts\n')) {
        missing.push(`packages/${folder}/README.md has no \`\`\`ts example`);
        continue;
      }
      // runReadmeExample runs the README's first ```ts block; some test of the package must call it.
      const tests = await sourcesOf(join(root, 'packages', folder, 'test')).catch(() => [] as string[]);
      const texts = await Promise.all(tests.map((file) => readFile(file, 'utf8')));
      if (!texts.some((text) => /runReadmeExample\(import\.meta\.url/.test(text)))
        missing.push(`packages/${folder}: no test runs its README example (runReadmeExample)`);
    }
    assert.deepEqual(missing, []);
  });

  it("declares an app module's codes in its *-problems.ts", async () => {
    for (const app of await readdir(join(root, 'apps'))) {
      const src = join(root, 'apps', app, 'src');
      for (const file of await sourcesOf(src).catch(() => [] as string[])) {
        if (declaresCodes.test(await readFile(file, 'utf8')))
          assert.match(basename(file), /-problems\.ts$/, `${file} declares codes; only a *-problems.ts does`);
      }
    }
  });
});
