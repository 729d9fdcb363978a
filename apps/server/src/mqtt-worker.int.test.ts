import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { generateApiKey } from '@sluice/control';
import { loadConfig } from './config.ts';
import { startServer } from './server.ts';
import { SHARED_BROKER_URL } from './testing/mqtt-broker.ts';
import { publisher, readingTopic, until } from './testing/mqtt-world.ts';

const quiet = { write: () => true } as unknown as NodeJS.WritableStream;

describe('the mqtt stage worker (SLUICE_WORKERS)', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sluice-mqtt-worker-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('a server that names mqtt runs the gateway: a connection made through its API receives readings', async () => {
    const server = await startServer(
      loadConfig({
        SLUICE_PORT: '0',
        SLUICE_DATA_DIR: join(dir, 'data'),
        SLUICE_LOG_LEVEL: 'silent',
        SLUICE_DEV: '0',
        SLUICE_SWEEP_INTERVAL_SECONDS: '0',
        SLUICE_WORKERS: 'receiver,relay,router,mqtt',
        SLUICE_ALLOW_PRIVATE_TARGETS: '1',
      }),
      { out: quiet },
    );
    try {
      const tenant = await server.store.tenancy.createTenant({ name: 'Plant' });
      const { key, prefix: keyPrefix, hash } = generateApiKey();
      await server.store.tenancy.createApiKey({
        tenant_id: tenant.id,
        name: 'test',
        prefix: keyPrefix,
        hash,
      });
      const prefix = `w-${randomBytes(5).toString('hex')}`;
      const created = await fetch(`${server.url}/api/v1/connections`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          connector_id: 'mqtt',
          name: 'plant gateways',
          config: {
            broker_url: SHARED_BROKER_URL,
            topics: [`${prefix}/#`],
            topic_template: `${prefix}/sites/{site}/gateways/{gateway}/zones/{zone}/{measurement}`,
          },
        }),
      });
      assert.equal(created.status, 201, await created.clone().text());
      const pub = await publisher(SHARED_BROKER_URL);
      const readings = async () =>
        (await server.store.events.query(tenant.id, { event_type: 'reading.recorded' }, { limit: 10 })).items;
      // The session subscribes shortly after the connection's change notification; publish until it is in.
      await until('a reading', async () => {
        await pub.publishAsync(readingTopic(prefix, 5), JSON.stringify({ value: 1, ts: 1796025600000 }), {
          qos: 1,
        });
        return (await readings()).length > 0;
      });
      await pub.endAsync();
      assert.equal((await readings()).length, 1);
    } finally {
      await server.close();
    }
  });
});
