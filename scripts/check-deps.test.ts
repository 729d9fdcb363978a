import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..');
const CRUISER = join(REPO, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruiser.mjs');
const CONFIG = join(REPO, '.dependency-cruiser.mjs');

interface Cruise {
  readonly code: number;
  readonly output: string;
}

/** Runs the project's dependency check over `dir` exactly as `npm run check:deps` does over the repo. */
function cruise(dir: string): Promise<Cruise> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CRUISER, '--config', CONFIG, '--output-type', 'err', 'packages'],
      { cwd: dir },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
        resolve({ code, output: `${stdout}${stderr}` });
      },
    );
  });
}

const manifest = (name: string, dependencies: Record<string, string> = {}) =>
  `${JSON.stringify({ name, version: '0.1.0', type: 'module', exports: { '.': './src/index.ts' }, dependencies }, null, 2)}\n`;

/**
 * A two-package workspace shaped like the repo's (packages/core below packages/store, linked through
 * node_modules/@sluice the way npm links workspaces), with one file per case added by each test.
 */
async function writeWorkspace(dir: string): Promise<void> {
  await writeFile(
    join(dir, 'package.json'),
    JSON.stringify({ name: 'fixture', private: true, workspaces: ['packages/*'] }),
  );
  await cp(join(REPO, 'tsconfig.json'), join(dir, 'tsconfig.json'));
  await mkdir(join(dir, 'packages', 'core', 'src'), { recursive: true });
  await mkdir(join(dir, 'packages', 'store', 'src'), { recursive: true });
  await writeFile(join(dir, 'packages', 'core', 'package.json'), manifest('@sluice/core'));
  await writeFile(join(dir, 'packages', 'core', 'src', 'index.ts'), 'export const id = 1;\n');
  await writeFile(
    join(dir, 'packages', 'store', 'package.json'),
    manifest('@sluice/store', { '@sluice/core': '0.1.0', pg: '8.16.3' }),
  );
  await writeFile(
    join(dir, 'packages', 'store', 'src', 'index.ts'),
    "import { id } from '@sluice/core';\nimport pg from 'pg';\nexport const store = [id, pg];\n",
  );
  await mkdir(join(dir, 'node_modules', '@sluice'), { recursive: true });
  await symlink(join(dir, 'packages', 'core'), join(dir, 'node_modules', '@sluice', 'core'), 'dir');
  await symlink(join(dir, 'packages', 'store'), join(dir, 'node_modules', '@sluice', 'store'), 'dir');
  await symlink(join(REPO, 'node_modules', 'pg'), join(dir, 'node_modules', 'pg'), 'dir');
}

/** One file per rule, each breaking only that rule (the undeclared case edits store's package.json). */
const VIOLATIONS: Record<string, string> = {
  'packages/core/src/upward.ts': "import { store } from '@sluice/store';\nexport const up = store;\n",
  'packages/core/src/io.ts':
    "import { readFileSync } from 'node:fs';\nimport pg from 'pg';\nexport const io = [readFileSync, pg];\n",
  'packages/store/src/reach.ts': "import { id } from '../../core/src/index.ts';\nexport const reach = id;\n",
  'packages/extra/src/index.ts': "import { id } from '@sluice/core';\nexport const extra = id;\n",
};

describe('npm run check:deps', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sluice-check-deps-'));
    await writeWorkspace(dir);
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('passes a workspace that imports only downward and declares what it imports', async () => {
    const result = await cruise(dir);
    assert.equal(result.code, 0, result.output);
  });

  describe('with one violation of each rule', () => {
    let result: Cruise;
    before(async () => {
      for (const [path, text] of Object.entries(VIOLATIONS)) {
        await mkdir(dirname(join(dir, path)), { recursive: true });
        await writeFile(join(dir, path), text);
      }
      await writeFile(
        join(dir, 'packages', 'extra', 'package.json'),
        manifest('@sluice/extra', { '@sluice/core': '0.1.0' }),
      );
      // store keeps importing @sluice/core but stops declaring it.
      await writeFile(
        join(dir, 'packages', 'store', 'package.json'),
        manifest('@sluice/store', { pg: '8.16.3' }),
      );
      result = await cruise(dir);
    });

    it('exits non-zero', () => {
      assert.notEqual(result.code, 0, result.output);
    });

    it('refuses core importing a package above it, naming the layer rule', () => {
      assert.match(
        result.output,
        /layer:packages\/core: packages\/core\/src\/upward\.ts → packages\/store\//,
      );
    });

    it('refuses core importing an I/O module or an I/O library it does not declare', () => {
      assert.match(result.output, /core-no-io: packages\/core\/src\/io\.ts → (node:)?fs\n/);
      assert.match(result.output, /core-no-io: packages\/core\/src\/io\.ts → \S*node_modules\/pg\//);
      assert.match(result.output, /no-non-package-json: packages\/core\/src\/io\.ts → \S*node_modules\/pg\//);
    });

    it('refuses a relative import into another package', () => {
      assert.match(
        result.output,
        /no-relative-across-packages: packages\/store\/src\/reach\.ts → packages\/core\//,
      );
    });

    it('refuses a workspace package the importing package.json does not declare', () => {
      assert.match(
        result.output,
        /declared:packages\/store: packages\/store\/src\/index\.ts → packages\/core\//,
      );
    });

    it('refuses a package folder the layer table does not list', () => {
      assert.match(result.output, /unlisted-package: packages\/extra\/src\/index\.ts/);
    });

    it('reports nothing about the files that follow the rules', () => {
      assert.doesNotMatch(result.output, /packages\/core\/src\/index\.ts →/);
    });
  });
});
