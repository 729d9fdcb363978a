import { homedir } from 'node:os';
import { join } from 'node:path';
import { Value } from '@sinclair/typebox/value';
import { type Env, given, optionalText, text } from '../config-variable.ts';

/**
 * The variables the CLI's API commands read. They are part of the server's `CONFIG_VARIABLES` (one
 * declaration, one table in the README), and read here on their own so that a command such as
 * `sluice jobs list` loads nothing of the server.
 */
export const CLIENT_VARIABLES = {
  SLUICE_URL: optionalText(
    'url',
    'The server the CLI talks to; unset: the profile’s, else http://127.0.0.1:8787.',
    {},
  ),
  SLUICE_API_KEY: optionalText('apiKey', 'The API key the CLI sends; unset: the profile’s.', {
    minLength: 8,
    secret: true,
  }),
  SLUICE_PROFILE: optionalText(
    'profile',
    'The CLI profile (a named server and API key in SLUICE_PROFILES_FILE) to use; unset: the file’s default.',
    {},
  ),
  SLUICE_PROFILES_FILE: text(
    'profilesFile',
    'The CLI profiles file (default $XDG_CONFIG_HOME/sluice/config.json, else ~/.config/sluice/config.json).',
    {
      default: (env) => join(env['XDG_CONFIG_HOME'] || join(homedir(), '.config'), 'sluice', 'config.json'),
    },
  ),
} as const;

/** What the CLI's API commands are configured with. */
export interface ClientConfig {
  readonly url: string | null;
  readonly apiKey: string | null;
  readonly profile: string | null;
  readonly profilesFile: string;
}

/** Reads `CLIENT_VARIABLES` from `env`; throws naming every bad one (a key by its length only). */
export function loadClientConfig(env: Env = process.env): ClientConfig {
  const values: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [name, variable] of Object.entries(CLIENT_VARIABLES)) {
    const raw =
      given(env, name) ?? (typeof variable.default === 'function' ? variable.default(env) : variable.default);
    if (raw !== undefined && !Value.Check(variable.schema, variable.coerce(raw))) {
      const shown =
        variable.secret === true ? ` (${raw.length} characters, not shown)` : `=${JSON.stringify(raw)}`;
      problems.push(
        `  ${name}${shown}: ${[...Value.Errors(variable.schema, raw)][0]?.message ?? 'is invalid'}`,
      );
      continue;
    }
    values[variable.field] = variable.value(raw === undefined ? undefined : variable.coerce(raw));
  }
  if (problems.length > 0) throw new Error(`Invalid configuration:\n${problems.join('\n')}`);
  return values as unknown as ClientConfig;
}
