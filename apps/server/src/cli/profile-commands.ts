import type { Command } from 'commander';
import { withCli } from './cli-context.ts';
import { loadClientConfig } from './config.ts';
import { maskKey, readProfiles, writeProfiles } from './profiles.ts';

/** `sluice profile set|list|use`: named servers and API keys in the profiles file. */
export function registerProfileCommands(program: Command): void {
  const profile = program
    .command('profile')
    .description('Named servers and API keys, kept in SLUICE_PROFILES_FILE (~/.config/sluice/config.json).');

  profile
    .command('set <name>')
    .description('Save (or update) a profile; the first one saved becomes the default.')
    .option('--server <url>', 'its server URL')
    .option('--key <key>', 'its API key')
    .option('--default', 'make it the default profile')
    .action(
      withCli(async (cli, name: string, options: { server?: string; key?: string; default?: boolean }) => {
        // The global --url and --api-key may name them too (`sluice profile set prod --url … --api-key …`).
        const url = options.server ?? cli.options.url;
        const apiKey = options.key ?? cli.options.apiKey;
        if (url === undefined && apiKey === undefined)
          throw new Error('Give --url and/or --api-key to save.');
        const path = loadClientConfig().profilesFile;
        const file = await readProfiles(path);
        const saved = {
          ...file.profiles[name],
          ...(url === undefined ? {} : { url }),
          ...(apiKey === undefined ? {} : { api_key: apiKey }),
        };
        const isDefault = options.default === true || file.default_profile === undefined;
        await writeProfiles(path, {
          default_profile: isDefault ? name : (file.default_profile as string),
          profiles: { ...file.profiles, [name]: saved },
        });
        cli.out.result(
          { profile: name, file: path, default: isDefault },
          () => `Saved profile "${name}" in ${path}${isDefault ? ' (the default)' : ''}.\n`,
        );
      }),
    );

  profile
    .command('list')
    .description('List the profiles (keys shown by their prefix only).')
    .action(
      withCli(async (cli) => {
        const path = loadClientConfig().profilesFile;
        const file = await readProfiles(path);
        const rows = Object.entries(file.profiles).map(([name, p]) => ({
          name,
          default: name === file.default_profile,
          url: p.url ?? null,
          api_key: p.api_key === undefined ? null : maskKey(p.api_key),
        }));
        cli.out.result({ file: path, profiles: rows }, () =>
          cli.out.table(
            ['NAME', 'DEFAULT', 'URL', 'API KEY'],
            rows.map((r) => [r.name, r.default ? '*' : '', r.url ?? '-', r.api_key ?? '-']),
            `No profiles in ${path}.`,
          ),
        );
      }),
    );

  profile
    .command('use <name>')
    .description('Make a saved profile the default.')
    .action(
      withCli(async (cli, name: string) => {
        const path = loadClientConfig().profilesFile;
        const file = await readProfiles(path);
        if (file.profiles[name] === undefined) throw new Error(`No profile "${name}" in ${path}.`);
        await writeProfiles(path, { ...file, default_profile: name });
        cli.out.result({ default_profile: name }, () => `Default profile: ${name}.\n`);
      }),
    );
}
