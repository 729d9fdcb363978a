import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../config.ts';
import { type RunningServer, startServer } from '../server.ts';

/** An embedded server on a fresh data directory, with its dev tenant's key. */
export interface EmbeddedServer {
  readonly server: RunningServer;
  readonly url: string;
  /** The dev tenant's API key, as the server printed it. */
  readonly key: string;
  /** Everything the server printed. */
  readonly output: string;
  /** Closes the server and removes its data directory. */
  close(): Promise<void>;
}

/**
 * Starts `startServer` in embedded mode on port 0, quiet, with housekeeping off and private targets
 * allowed, plus `env`, and `options` such as `cwd` (where a `sluice.config.ts` is looked for) or a trace
 * SDK; captures what it prints to read the dev key.
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
  let server: RunningServer;
  try {
    server = await startServer(
      loadConfig({
        SLUICE_PORT: '0',
        SLUICE_DATA_DIR: dir,
        SLUICE_DEV: '1',
        SLUICE_LOG_LEVEL: 'silent',
        SLUICE_SWEEP_INTERVAL_SECONDS: '0',
        SLUICE_ALLOW_PRIVATE_TARGETS: '1',
        ...env,
      }),
      { ...options, out },
    );
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  const key = /(slk_[A-Za-z0-9_-]+)/.exec(output)?.[1];
  if (key === undefined) throw new Error(`the server printed no dev key:\n${output}`);
  return {
    server,
    url: server.url,
    key,
    output,
    async close() {
      await server.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
