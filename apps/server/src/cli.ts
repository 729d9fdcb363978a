#!/usr/bin/env node
import { Command } from 'commander';
import { registerConnectorsCommands } from './cli/connectors-commands.ts';
import { registerKeysCommands } from './cli/keys-commands.ts';
import { registerServerCommands } from './cli/server-commands.ts';
import { registerSignCommand } from './cli/sign-command.ts';
import { registerStreamsCommands } from './cli/streams-commands.ts';

const program = new Command()
  .name('sluice')
  .description('Multi-tenant event ingestion: every source becomes one envelope, stored exactly once.');

// One line per command group, each in its own file under cli/.
registerServerCommands(program);
registerKeysCommands(program);
registerStreamsCommands(program);
registerConnectorsCommands(program);
registerSignCommand(program);

program.parseAsync().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
