import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { generateApiKey } from '@sluice/control';
import { loadConfig } from '../config.ts';
import { type RunningServer, startServer } from '../server.ts';
import { type JsonServer, startJsonServer } from './json-server.ts';

const quiet = { write: () => true } as unknown as NodeJS.WritableStream;

describe('the scheduler stage worker (SLUICE_WORKERS)', () => {
  let dir: string;
  let api: JsonServer;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sluice-scheduler-worker-'));
    api = await startJsonServer();
    api.records = [{ id: 'a', name: 'Ada' }];
  });
  after(async () => {
    await api.close();
    await rm(dir, { recursive: true, force: true });
  });

  const start = (workers: string | undefined): Promise<RunningServer> =>
    startServer(
      loadConfig({
        SLUICE_PORT: '0',
        SLUICE_DATA_DIR: join(dir, 'data'),
        SLUICE_LOG_LEVEL: 'silent',
        SLUICE_DEV: '0',
        SLUICE_SWEEP_INTERVAL_SECONDS: '0',
        SLUICE_ALLOW_PRIVATE_TARGETS: '1',
        ...(workers === undefined ? {} : { SLUICE_WORKERS: workers }),
      }),
      { out: quiet },
    );

  it('a process without scheduler runs no poll pass, even for a stream made due now; one with it does', async () => {
    let server = await start('receiver,relay,router,executor');
    let tenantId = '';
    let connectionId = '';
    try {
      const tenant = await server.store.tenancy.createTenant({ name: 'Poller' });
      tenantId = tenant.id;
      const { key, prefix, hash } = generateApiKey();
      await server.store.tenancy.createApiKey({ tenant_id: tenant.id, name: 'test', prefix, hash });
      const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
      const created = await fetch(`${server.url}/api/v1/connections`, {
        method: 'POST',
        headers,
        body: JSON.stringify({
          connector_id: 'http-poll',
          config: { url: api.url, records_path: 'data', id_field: 'id', streams: { snapshot: {} } },
        }),
      });
      assert.equal(created.status, 201, await created.clone().text());
      connectionId = ((await created.json()) as { connection: { id: string } }).connection.id;
      const run = await fetch(`${server.url}/api/v1/connections/${connectionId}/streams/snapshot/run`, {
        method: 'POST',
        headers: { authorization: headers.authorization },
      });
      assert.equal(run.status, 200, await run.clone().text());
      // A scheduler would be woken by `run` and poll at once; give it well over that, then look.
      await sleep(2_000);
      assert.deepEqual(api.seen, [], 'the source was polled by a process without a scheduler');
      const [stream] = await server.store.schedules.list(tenant.id, { connection_id: connectionId });
      assert.equal(stream?.last_success_at, null);
    } finally {
      await server.close();
    }
    // The same store, the default workers: the stream still due is polled (what the wait above would see).
    server = await start(undefined);
    try {
      const succeeded = async () =>
        (await server.store.schedules.list(tenantId, { connection_id: connectionId }))[0]?.last_success_at ??
        null;
      for (let i = 0; i < 200 && (await succeeded()) === null; i++) await sleep(100);
      assert.ok(api.seen.length > 0, 'a process with the scheduler polled the due stream');
      assert.notEqual(await succeeded(), null);
    } finally {
      await server.close();
    }
  });
});
