// Import rules of the workspace (docs/ARCHITECTURE.md, "Layers"). Run by `npm run check:deps`.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The layer table: each workspace package (its folder) and the @sluice packages its code may import.
 * Arrows only point down the pipeline; a new package is one line here. `tests` lists what its test files
 * (`*.test.ts` and `src/testing/`) may import on top, such as an adapter's contract-suite helpers.
 * Packages that do not exist yet are listed already, so their first import is checked too.
 */
const LAYERS = [
  { dir: 'packages/core', may: [] },
  { dir: 'packages/cesql', may: [] },
  { dir: 'packages/signatures', may: ['core'] },
  { dir: 'packages/map', may: ['core'] },
  { dir: 'packages/ingest', may: ['core', 'map'], tests: ['store'] },
  { dir: 'packages/store', may: ['core'] },
  { dir: 'packages/bus-redis', may: ['core'] },
  { dir: 'packages/receive', may: ['core', 'signatures', 'map', 'ingest'], tests: ['store'] },
  { dir: 'packages/relay', may: ['core'], tests: ['store', 'bus-redis'] },
  { dir: 'packages/route', may: ['core', 'cesql'], tests: ['store', 'bus-redis'] },
  { dir: 'packages/execute', may: ['core', 'signatures', 'map'], tests: ['store', 'bus-redis'] },
  {
    dir: 'packages/control',
    may: ['core', 'cesql', 'signatures', 'map', 'ingest', 'receive', 'relay', 'route', 'execute'],
    tests: ['store', 'bus-redis'],
  },
  { dir: 'packages/connectors', may: ['core', 'map', 'signatures'], tests: ['execute'] },
  { dir: 'packages/sdk', may: ['core', 'map', 'execute'] },
  { dir: 'apps/server', may: ['*packages', 'dashboard'] },
  { dir: 'apps/cli', may: ['*packages', 'server'] },
  { dir: 'apps/dashboard', may: ['core'] },
];

/** I/O the domain core must not reach: Node's I/O modules and the engines' client libraries. */
const IO_BUILTINS = [
  'fs',
  'fs/promises',
  'net',
  'http',
  'https',
  'http2',
  'tls',
  'dgram',
  'dns',
  'child_process',
  'cluster',
  'worker_threads',
  'readline',
  'repl',
  'inspector',
];
const IO_LIBRARIES = [
  'pg',
  '@electric-sql/pglite',
  'ioredis',
  'redis',
  'bullmq',
  'fastify',
  '@fastify/[^/]+',
  'mqtt',
  'undici',
  'pino',
  'commander',
  'prom-client',
];

const TEST_FILE = '(\\.test\\.ts$|/src/testing/)';
const escapeRegExp = (text) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
const folderOf = (name) => LAYERS.find((layer) => layer.dir.split('/')[1] === name)?.dir;
const allowedDirs = (names, self) =>
  names.flatMap((name) => {
    if (name === '*packages') return ['packages/[^/]+'];
    const dir = folderOf(name);
    if (dir === undefined) throw new Error(`.dependency-cruiser.mjs: ${self} may import unknown "${name}"`);
    return [escapeRegExp(dir)];
  });
const anyOf = (patterns) => `^(${patterns.join('|')})/`;

const layerRules = LAYERS.flatMap(({ dir, may, tests = [] }) => {
  const own = escapeRegExp(dir);
  const code = allowedDirs(may, dir);
  return [
    {
      name: `layer:${dir}`,
      comment: `${dir} may import ${may.length === 0 ? 'no other @sluice package' : may.join(', ')} (docs/ARCHITECTURE.md, "Layers").`,
      severity: 'error',
      from: { path: `^${own}/`, pathNot: TEST_FILE },
      to: { path: '^(packages|apps)/', pathNot: anyOf([own, ...code]) },
    },
    {
      name: `layer:${dir}:tests`,
      comment: `${dir} tests may import ${[...may, ...tests].join(', ') || 'no other @sluice package'}.`,
      severity: 'error',
      from: { path: `^${own}/.*${TEST_FILE}` },
      to: { path: '^(packages|apps)/', pathNot: anyOf([own, ...code, ...allowedDirs(tests, dir)]) },
    },
  ];
});

/**
 * Workspace packages resolve to their folders, so dependency-cruiser's npm checks do not see them: one rule
 * per workspace package refuses an import of a sibling its package.json does not declare (`dependencies`
 * for code, `devDependencies` too for tests and `src/testing/` helpers).
 */
// The cruise runs from the workspace root (npm scripts do; so does the check's own test, in a fixture).
const ROOT = process.cwd();
const WORKSPACES = ['packages', 'apps'].flatMap((parent) =>
  existsSync(join(ROOT, parent))
    ? readdirSync(join(ROOT, parent))
        .filter((name) => existsSync(join(ROOT, parent, name, 'package.json')))
        .map((name) => ({
          dir: `${parent}/${name}`,
          manifest: JSON.parse(readFileSync(join(ROOT, parent, name, 'package.json'), 'utf8')),
        }))
    : [],
);
const dirsNamed = (names) =>
  WORKSPACES.filter((workspace) => names.includes(workspace.manifest.name)).map((workspace) =>
    escapeRegExp(workspace.dir),
  );
const declaredRules = WORKSPACES.flatMap(({ dir, manifest }) => {
  const own = escapeRegExp(dir);
  const dependencies = Object.keys(manifest.dependencies ?? {});
  const devDependencies = Object.keys(manifest.devDependencies ?? {});
  return [
    {
      name: `declared:${dir}`,
      comment: `${dir} imports a workspace package missing from the "dependencies" of ${dir}/package.json.`,
      severity: 'error',
      from: { path: `^${own}/`, pathNot: TEST_FILE },
      to: { path: '^(packages|apps)/', pathNot: anyOf([own, ...dirsNamed(dependencies)]) },
    },
    {
      name: `declared:${dir}:tests`,
      comment: `${dir} tests import a workspace package missing from ${dir}/package.json.`,
      severity: 'error',
      from: { path: `^${own}/.*${TEST_FILE}` },
      to: {
        path: '^(packages|apps)/',
        pathNot: anyOf([own, ...dirsNamed([...dependencies, ...devDependencies])]),
      },
    },
  ];
});

/** @type {import('dependency-cruiser').IConfiguration} */
export default {
  forbidden: [
    ...layerRules,
    ...declaredRules,
    {
      name: 'unlisted-package',
      comment: 'Every workspace folder under packages/ and apps/ needs a line in the LAYERS table.',
      severity: 'error',
      from: {
        path: '^(packages|apps)/',
        pathNot: anyOf(LAYERS.map((layer) => escapeRegExp(layer.dir))),
      },
      to: {},
    },
    {
      name: 'packages-not-to-apps',
      comment: 'Nothing under packages/ imports an app.',
      severity: 'error',
      from: { path: '^packages/' },
      to: { path: '^apps/' },
    },
    {
      name: 'core-no-io',
      comment:
        'packages/core is the domain, cesql a pure evaluator: no I/O module and no engine client library (their tests may read fixtures).',
      severity: 'error',
      from: { path: '^packages/(core|cesql)/', pathNot: '\\.test\\.ts$' },
      to: {
        path: [
          `^(node:)?(${IO_BUILTINS.map(escapeRegExp).join('|')})$`,
          `(^|/)node_modules/(${IO_LIBRARIES.map((name) => name.replace(/\//g, '\\/')).join('|')})/`,
        ],
      },
    },
    {
      name: 'no-relative-across-packages',
      comment:
        'Import another workspace package by its name (@sluice/…), never by a relative path into its folder.',
      severity: 'error',
      from: { path: '^(packages|apps)/([^/]+)/' },
      to: { dependencyTypes: ['local'], path: '^(packages|apps)/', pathNot: '^$1/$2/' },
    },
    {
      name: 'no-non-package-json',
      comment:
        "Every npm package a file imports is declared in its package's package.json (the closest one).",
      severity: 'error',
      from: {},
      to: { dependencyTypes: ['npm-no-pkg', 'npm-unknown'] },
    },
    {
      name: 'not-to-dev-dep',
      comment: 'Code that ships imports only `dependencies`; devDependencies are for tests and tooling.',
      severity: 'error',
      // A package's `testing/` folder is test support: it ships to tests only.
      from: { path: '^(packages|apps)/', pathNot: ['\\.test\\.ts$', '/src/testing/'] },
      to: { dependencyTypes: ['npm-dev'], dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'An import that resolves to nothing is a typo or a missing install.',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: ['^\\.sluice/', '^apps/dashboard/dist/'] },
    tsPreCompilationDeps: true,
    combinedDependencies: false,
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
      extensions: ['.ts', '.js', '.mjs', '.cjs', '.json', '.d.ts'],
    },
    tsConfig: { fileName: 'tsconfig.json' },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
