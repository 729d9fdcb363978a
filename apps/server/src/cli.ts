#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { addGlobalOptions } from './cli/cli-context.ts';
import { registerConnectionsCommands } from './cli/connections-commands.ts';
import { registerConnectorsCommands } from './cli/connectors-commands.ts';
import { registerDlqCommands } from './cli/dlq-commands.ts';
import { registerEventsCommands } from './cli/events-commands.ts';
import { registerJobsCommands } from './cli/jobs-commands.ts';
import { registerKeysCommands } from './cli/keys-commands.ts';
import { registerListenCommand } from './cli/listen-command.ts';
import { registerProfileCommands } from './cli/profile-commands.ts';
import { registerServerCommands } from './cli/server-commands.ts';
import { registerSignCommand } from './cli/sign-command.ts';
import { registerStreamsCommands } from './cli/streams-commands.ts';
import { registerTailCommand } from './cli/tail-command.ts';
import { registerTriggerCommand } from './cli/trigger-command.ts';
import { registerTriggersCommands } from './cli/triggers-commands.ts';
import { registerConnectorsNew } from './connectors-new-command.ts';

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

const program = addGlobalOptions(
  new Command()
    .name('sluice')
    .description('Multi-tenant event ingestion: every source becomes one envelope, stored exactly once.')
    .version(version, '-V, --version', 'print the version'),
);

// One line per command group, each in its own file under cli/.
registerServerCommands(program);
registerKeysCommands(program);
registerProfileCommands(program);
registerConnectionsCommands(program);
registerTriggersCommands(program);
registerTailCommand(program);
registerListenCommand(program);
registerTriggerCommand(program);
registerEventsCommands(program);
registerJobsCommands(program);
registerDlqCommands(program);
registerStreamsCommands(program);
registerConnectorsNew(registerConnectorsCommands(program));
registerSignCommand(program);

program.parseAsync().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
