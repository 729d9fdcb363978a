import { join, relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { CONFIG_FILE_NAME } from './extensions/config-file.ts';
import { scaffoldConnector } from './extensions/connector-scaffold.ts';

/** The text `sluice connectors new` prints after writing the files: what to do next. */
export function nextSteps(options: {
  readonly id: string;
  readonly dir: string;
  readonly exportName: string;
  readonly cwd: string;
}): string {
  const dir = relative(options.cwd, options.dir) || '.';
  const path = join(dir, `${options.id}-connector.ts`);
  const module = path.startsWith('..') ? path : `./${path}`;
  return [
    `Wrote ${join(dir, `${options.id}-connector.ts`)}, ${join(dir, `${options.id}-connector.test.ts`)} and ${join(dir, 'replay', `${options.id}.json`)}.`,
    '',
    'Next:',
    `  node --test ${join(dir, `${options.id}-connector.test.ts`)}`,
    `  sluice dev replay --twice ${join(dir, 'replay', `${options.id}.json`)}`,
    '',
    `Serve it: list it in ${CONFIG_FILE_NAME} (or the file SLUICE_CONFIG names), then sluice dev or sluice start:`,
    '',
    "  import { defineConfig } from '@sluice/sdk';",
    `  import { ${options.exportName} } from '${module}';`,
    '',
    `  export default defineConfig({ connectors: [${options.exportName}] });`,
    '',
  ].join('\n');
}

/**
 * Adds `new <id>` to the `sluice connectors` command: scaffolds a connector with a replay fixture and a
 * passing test into `--dir` (default `connectors/<id>`), refusing to overwrite anything.
 */
export function registerConnectorsNew(connectors: Command): void {
  connectors
    .command('new <id>')
    .description(
      'Scaffold a connector (its definition, a replay fixture and a passing test) to edit into your own.',
    )
    .option('--dir <dir>', 'where to write it (default: connectors/<id>)')
    .action(async (id: string, options: { dir?: string }) => {
      const cwd = process.cwd();
      const dir = resolve(cwd, options.dir ?? join('connectors', id));
      const written = await scaffoldConnector(id, dir);
      process.stdout.write(nextSteps({ id, dir, exportName: written.exportName, cwd }));
    });
}
