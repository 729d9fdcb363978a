import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { killHard, startServerProcess } from './testing/server-process.ts';

/** node's flag that preloads the module log, writing to `file`. */
const logModulesTo = (file: string) => {
  const preload = new URL('./testing/module-log.mjs', import.meta.url);
  preload.searchParams.set('log', file);
  return `--import=${preload.href}`;
};

/** The packages a server start loads only when its configuration asks for them. */
const ON_DEMAND = [
  'pg',
  'ioredis',
  'mqtt',
  'undici',
  'pino-pretty',
  '@opentelemetry/sdk-trace',
  '@opentelemetry/exporter-trace-otlp-http',
];

/** The packages among `ON_DEMAND` whose modules the log names. */
function loaded(log: string): string[] {
  return ON_DEMAND.filter((name) => log.includes(`/node_modules/${name}/`));
}

describe('what a start loads', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sluice-modules-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('an embedded start loads no PostgreSQL, Redis, MQTT or trace exporter client, nor the poll client', async () => {
    const log = join(dir, 'embedded.log');
    const server = await startServerProcess({
      SLUICE_DATA_DIR: join(dir, 'data'),
      SLUICE_DEV: '0',
      NODE_OPTIONS: logModulesTo(log),
    });
    try {
      assert.equal((await fetch(`${server.url}/healthz`)).status, 200);
      const modules = await readFile(log, 'utf8');
      assert.match(modules, /\/node_modules\/fastify\//, 'the log is written');
      assert.deepEqual(loaded(modules), []);
    } finally {
      await killHard(server.child);
    }
  });

  it('the same start loads the drivers its configuration names: OTLP tracing, pretty logs', async () => {
    const log = join(dir, 'traced.log');
    const server = await startServerProcess({
      SLUICE_DATA_DIR: join(dir, 'traced'),
      SLUICE_DEV: '0',
      SLUICE_LOG_PRETTY: '1',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9',
      NODE_OPTIONS: logModulesTo(log),
    });
    try {
      assert.deepEqual(loaded(await readFile(log, 'utf8')).sort(), [
        '@opentelemetry/exporter-trace-otlp-http',
        '@opentelemetry/sdk-trace',
        'pino-pretty',
      ]);
    } finally {
      await killHard(server.child);
    }
  });
});
