import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { CloudEventContext, Connection, Stores } from '@sluice/core';
import {
  createTestConnection,
  preparedEnvelope,
  STORE_ADAPTERS,
  type TestDatabase,
  waitForHorizon,
} from './testing/index.ts';

const day = 24 * 3600 * 1000;

/** The context of a CloudEvent as a sender set it: every optional attribute, extensions of each type. */
const cloudevent: CloudEventContext = {
  specversion: '1.0',
  id: 'A-42 ünïcødé',
  source: 'urn:shop:eu-1',
  type: 'order.created',
  subject: 'orders/42',
  time: '2026-06-11T11:03:02.250+02:00',
  datacontenttype: 'application/vnd.shop.order+json; charset=utf-8',
  dataschema: 'https://example.com/schemas/order.json',
  extensions: { region: 'eu-west 東京', attempt: 3, negative: -2147483648, urgent: true, quiet: false },
};

for (const adapter of STORE_ADAPTERS) {
  describe(`envelope CloudEvent attributes: ${adapter.name}`, () => {
    let db: TestDatabase;
    let store: Stores;
    let connection: Connection;

    before(async () => {
      db = await adapter.open();
      store = db.store();
      await store.maintenance.migrate();
      connection = await createTestConnection(store, 'CloudEvents');
    });
    after(() => db.drop());

    it('stores the original CloudEvent’s attributes unchanged, and null for an envelope without one', async () => {
      const start = await store.events.head();
      const result = await store.events.append({
        connection,
        envelopes: [
          preparedEnvelope(connection, 'ce-1', { cloudevent }),
          preparedEnvelope(connection, 'ce-2'),
        ],
        dedupeWindowMs: day,
      });
      assert.equal(result.status, 'committed');
      if (result.status !== 'committed') return;
      const [withId, withoutId] = result.outcomes.map((o) => o.event_id);

      const stored = await store.events.get(connection.tenant_id, withId ?? '');
      assert.deepEqual(stored?.cloudevent, cloudevent);
      assert.equal((await store.events.get(connection.tenant_id, withoutId ?? ''))?.cloudevent, null);

      const page = await store.events.query(connection.tenant_id, {}, { limit: 10, order: 'asc' });
      assert.deepEqual(
        page.items.map((e) => e.cloudevent),
        [cloudevent, null],
      );
      // Other transactions in the cluster (other test files) may hold the commit horizon back a moment.
      await waitForHorizon(db.client);
      const read = await store.events.readAfter(connection.tenant_id, start, {}, 10);
      assert.deepEqual(
        read.items.map((i) => i.envelope.cloudevent),
        [cloudevent, null],
      );
    });

    it('keeps dedupe on the emission’s key, whatever the attributes', async () => {
      const again = await store.events.append({
        connection,
        envelopes: [
          preparedEnvelope(connection, 'ce-1', { cloudevent: { ...cloudevent, subject: 'other' } }),
        ],
        dedupeWindowMs: day,
      });
      assert.equal(again.status, 'committed');
      if (again.status !== 'committed') return;
      assert.equal(again.outcomes[0]?.status, 'duplicate');
      const original = await store.events.get(connection.tenant_id, again.outcomes[0]?.event_id ?? '');
      assert.equal(original?.cloudevent?.subject, 'orders/42');
    });
  });
}
