import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Connection, Stores } from '@sluice/core';
import { openConnectedStore, STORE_ADAPTERS, type TestDatabase } from './testing/index.ts';

for (const adapter of STORE_ADAPTERS) {
  describe(`connection secrets contract: ${adapter.name}`, () => {
    let db: TestDatabase;
    let store: Stores;
    let connection: Connection;

    before(async () => {
      ({ db, store, connection } = await openConnectedStore(adapter));
    });
    after(() => db.drop());

    it('rotates secrets with an overlap window', async () => {
      const now = new Date();
      await store.connections.rotateSecret(
        connection.tenant_id,
        connection.id,
        { id: 'sec_test_rotated', ciphertext: 'v1:new' },
        new Date(now.getTime() + 60_000),
      );
      const during = await store.connections.liveSecrets(connection.tenant_id, connection.id, now);
      assert.deepEqual(
        during.map((s) => s.ciphertext),
        ['v1:new', 'v1:x'],
      );
      const later = await store.connections.liveSecrets(
        connection.tenant_id,
        connection.id,
        new Date(now.getTime() + 120_000),
      );
      assert.deepEqual(
        later.map((s) => s.ciphertext),
        ['v1:new'],
      );
      const outsider = await store.tenancy.createTenant({ name: 'Outsider' });
      assert.deepEqual(await store.connections.liveSecrets(outsider.id, connection.id, now), []);
    });
  });
}
