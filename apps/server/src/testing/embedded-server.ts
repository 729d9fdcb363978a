import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../config.ts';
import { type RunningServer, startServer } from '../server.ts';

export interface EmbeddedServer {
  readonly server: RunningServer;
  /** The dev tenant's API key, as printed on first start. */
  readonly key: string;
  /** A JSON request with the dev tenant's key. */
  api<T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: T }>;
  /** Stops the server and removes its data directory. */
  close(): Promise<void>;
}

/**
 * The whole embedded server as `sluice dev` runs it (PGlite in a fresh data directory, every stage worker in
 * this process), listening on a free loopback port, with private delivery targets allowed.
 */
export async function startEmbeddedServer(env: Record<string, string> = {}): Promise<EmbeddedServer> {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-embedded-'));
  let output = '';
  const out = {
    write: (chunk: string) => {
      output += chunk;
      return true;
    },
  } as unknown as NodeJS.WritableStream;
  const server = await startServer(
    loadConfig({
      SLUICE_PORT: '0',
      SLUICE_DATA_DIR: dir,
      SLUICE_LOG_LEVEL: 'silent',
      SLUICE_SWEEP_INTERVAL_SECONDS: '0',
      SLUICE_ALLOW_PRIVATE_TARGETS: '1',
      ...env,
    }),
    { out },
  );
  const key = /(slk_[A-Za-z0-9_-]+)/.exec(output)?.[1];
  assert.ok(key !== undefined, `no dev key in the start-up output:\n${output}`);
  const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
  return {
    server,
    key,
    async api<T>(method: string, path: string, body?: unknown) {
      const response = await fetch(`${server.url}${path}`, {
        method,
        headers,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return { status: response.status, body: (await response.json()) as T };
    },
    async close() {
      await server.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
