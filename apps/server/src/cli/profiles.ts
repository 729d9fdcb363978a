import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/** One named server and API key, as the profiles file keeps it. */
export interface Profile {
  readonly url?: string;
  readonly api_key?: string;
}

/** The profiles file: `{"default_profile": "local", "profiles": {"local": {"url", "api_key"}}}`. */
export interface ProfilesFile {
  readonly default_profile?: string;
  readonly profiles: Readonly<Record<string, Profile>>;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Reads the profiles file; a missing file has no profiles, an unreadable one is an error naming it. */
export async function readProfiles(path: string): Promise<ProfilesFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { profiles: {} };
    throw error;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`The profiles file ${path} is not JSON: ${(error as Error).message}`);
  }
  if (!isRecord(json) || (json['profiles'] !== undefined && !isRecord(json['profiles']))) {
    throw new Error(`The profiles file ${path} must be {"profiles": {"<name>": {"url", "api_key"}}}.`);
  }
  const profiles: Record<string, Profile> = {};
  for (const [name, value] of Object.entries((json['profiles'] ?? {}) as Record<string, unknown>)) {
    if (!isRecord(value)) throw new Error(`Profile "${name}" in ${path} is not an object.`);
    profiles[name] = {
      ...(typeof value['url'] === 'string' ? { url: value['url'] } : {}),
      ...(typeof value['api_key'] === 'string' ? { api_key: value['api_key'] } : {}),
    };
  }
  return {
    ...(typeof json['default_profile'] === 'string' ? { default_profile: json['default_profile'] } : {}),
    profiles,
  };
}

/** Writes the profiles file, readable by its owner only (it holds API keys). */
export async function writeProfiles(path: string, file: ProfilesFile): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  await writeFile(path, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600 });
}

/** A key as a listing shows it: its prefix, never the whole. */
export const maskKey = (key: string): string => (key.length <= 12 ? '…' : `${key.slice(0, 12)}…`);
