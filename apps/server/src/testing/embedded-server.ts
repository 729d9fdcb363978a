import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../config.ts';
import { type RunningServer, startServer } from '../server.ts';

/** An embedded dev server in a fresh data directory, with the dev tenant's key it printed. */
export interface EmbeddedServer {
  readonly server: RunningServer;
  readonly url: string;
  /** The dev tenant's API key. */
  readonly key: string;
  close(): Promise<void>;
}

/**
 * Starts the whole server in this process (PGlite, the stage workers, a dev tenant) on a free port, with
 * `env` over quiet test defaults, and reads the dev key from what it prints.
 */
export async function startEmbeddedServer(
  env: Readonly<Record<string, string>> = {},
  options: Omit<NonNullable<Parameters<typeof startServer>[1]>, 'out'> = {},
): Promise<EmbeddedServer> {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-embedded-'));
  let output = '';
  const out = {
    write: (chunk: string) => {
      output += chunk;
      return true;
    },
  } as unknown as NodeJS.WritableStream;
  const config = loadConfig({
    SLUICE_PORT: '0',
    SLUICE_DATA_DIR: dir,
    SLUICE_DEV: '1',
    SLUICE_LOG_LEVEL: 'silent',
    SLUICE_SWEEP_INTERVAL_SECONDS: '0',
    ...env,
  });
  const server = await startServer(config, { ...options, out });
  const key = /(slk_[A-Za-z0-9_-]+)/.exec(output)?.[1];
  assert.ok(key !== undefined, output);
  return {
    server,
    url: server.url,
    key,
    async close() {
      await server.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
