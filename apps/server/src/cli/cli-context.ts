import type { Command } from 'commander';
import { ApiClient, ApiError, type ApiTarget } from './api-client.ts';
import { Output } from './output.ts';
import { type ProfilesFile, readProfiles } from './profiles.ts';

/** The options every command takes (declared once, on the program). */
export interface GlobalOptions {
  readonly json?: boolean;
  readonly url?: string;
  readonly apiKey?: string;
  readonly profile?: string;
}

/** The server's default address when nothing names another. */
export const DEFAULT_URL = 'http://127.0.0.1:8787';

/** What a command runs with: its output, and the API client it builds on demand. */
export interface Cli {
  readonly out: Output;
  readonly options: GlobalOptions;
  /**
   * The API client for the server and key the flags, environment or profile name; throws when there is no
   * key, unless `keyless` (a call that needs none, such as a signed delivery to an ingest URL).
   */
  client(options?: { readonly keyless?: boolean }): Promise<ApiClient>;
}

/** Declares the global options on the program. */
export function addGlobalOptions(program: Command): Command {
  return program
    .option('--json', 'print JSON instead of tables (errors too, on stderr)')
    .option('--url <url>', `the server (default: SLUICE_URL, else the profile's, else ${DEFAULT_URL})`)
    .option('--api-key <key>', "an API key of the tenant (default: SLUICE_API_KEY, else the profile's)")
    .option('--profile <name>', 'a profile of the profiles file (default: SLUICE_PROFILE, else its default)');
}

/**
 * Which server and key: `--url`/`--api-key`, then a profile named by `--profile`, then SLUICE_URL and
 * SLUICE_API_KEY, then the profile named by SLUICE_PROFILE or the file's default, then the default URL.
 */
export function resolveTarget(
  options: GlobalOptions,
  env: { url: string | null; apiKey: string | null; profile: string | null; profilesFile: string },
  file: ProfilesFile,
  keyless = false,
): ApiTarget {
  const named = options.profile ?? env.profile ?? undefined;
  const profileName = named ?? file.default_profile ?? (file.profiles['default'] ? 'default' : undefined);
  const profile = profileName === undefined ? undefined : file.profiles[profileName];
  if (named !== undefined && profile === undefined) {
    const names = Object.keys(file.profiles);
    throw new Error(
      `No profile "${named}" in ${env.profilesFile}; ${names.length === 0 ? 'it has none' : `it has ${names.join(', ')}`}. Add it with \`sluice profile set ${named} --url … --api-key …\`.`,
    );
  }
  const explicit = options.profile !== undefined;
  const url = options.url ?? (explicit ? profile?.url : undefined) ?? env.url ?? profile?.url ?? DEFAULT_URL;
  const apiKey =
    options.apiKey ?? (explicit ? profile?.api_key : undefined) ?? env.apiKey ?? profile?.api_key ?? null;
  if (apiKey === null) {
    if (keyless) return { url, apiKey: '' };
    throw new Error(
      `No API key: give --api-key, set SLUICE_API_KEY, or save a profile with \`sluice profile set <name> --url ${url} --api-key slk_…\` (profiles file: ${env.profilesFile}).`,
    );
  }
  return { url, apiKey };
}

/** The `Cli` of a command being run. */
export function cliOf(command: Command): Cli {
  const options = command.optsWithGlobals() as GlobalOptions;
  const out = new Output(options.json === true);
  return {
    out,
    options,
    async client(client = {}) {
      // Loaded here, not above: `--version`, help and offline commands need no configuration.
      const { loadClientConfig } = await import('./config.ts');
      const config = loadClientConfig();
      const file = await readProfiles(config.profilesFile);
      return new ApiClient(resolveTarget(options, config, file, client.keyless === true));
    },
  };
}

/**
 * A commander action that runs `fn` with the command's `Cli`, its arguments and options; a thrown error is
 * reported (code, message, hint) and the exit code is 1. `fn` may answer an exit code of its own.
 */
export function withCli<A extends unknown[]>(
  fn: (cli: Cli, ...args: A) => Promise<number | undefined> | Promise<void>,
): (...args: unknown[]) => Promise<void> {
  return async (...args: unknown[]) => {
    const command = args[args.length - 1] as Command;
    const cli = cliOf(command);
    try {
      const code = await fn(cli, ...(args.slice(0, -1) as A));
      if (typeof code === 'number') process.exitCode = code;
    } catch (error) {
      if (error instanceof ApiError) await error.findHint();
      cli.out.fail(error);
      process.exitCode = 1;
    }
  };
}
