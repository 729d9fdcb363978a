import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Connection, NewJob, Stores } from '@sluice/core';
import {
  createTestConnection,
  preparedEnvelope,
  STORE_ADAPTERS,
  type TestDatabase,
} from './testing/index.ts';

const at = (iso: string): Date => new Date(iso);

for (const adapter of STORE_ADAPTERS) {
  describe(`ingest stats contract: ${adapter.name}`, () => {
    let db: TestDatabase;
    let store: Stores;
    // Jobs take their creation time from the store's clock; the test moves it.
    let clock = at('2030-05-01T10:00:00.000Z');
    let shop: Connection;
    let stranger: Connection;

    /** Envelopes of `connection` received at each time; answers their event ids. */
    const receive = async (connection: Connection, times: ReadonlyArray<string>): Promise<string[]> => {
      const envelopes = times.map((time, i) =>
        preparedEnvelope(connection, `${connection.id}-${time}-${i}`, { received_at: time }),
      );
      const result = await store.events.append({ connection, envelopes, dedupeWindowMs: 60_000 });
      assert.equal(result.status, 'committed');
      return result.status === 'committed' ? result.outcomes.map((o) => o.event_id) : [];
    };
    const jobOf = (connection: Connection, eventId: string, trigger: string, n: number): NewJob => ({
      tenant_id: connection.tenant_id,
      trigger_id: trigger,
      event_id: eventId,
      connection_id: connection.id,
      priority: 'P2',
      entity_key: null,
      position: `${2000 + n}.${n}`,
    });

    before(async () => {
      db = await adapter.open();
      store = db.store({ now: () => clock });
      await store.maintenance.migrate();
      shop = await createTestConnection(store, 'Stats shop');
      stranger = await createTestConnection(store, 'Stats stranger');
    });
    after(() => db.drop());

    it('counts envelopes per minute of receipt, oldest first, and leaves empty minutes out', async () => {
      await receive(shop, [
        '2030-05-01T09:58:10.000Z',
        '2030-05-01T09:58:59.999Z',
        '2030-05-01T09:59:30.000Z',
        // Outside the window on both sides.
        '2030-05-01T08:59:59.999Z',
        '2030-05-01T10:00:00.000Z',
      ]);
      await receive(stranger, ['2030-05-01T09:58:20.000Z', '2030-05-01T09:58:21.000Z']);
      const minutes = await store.ingestStats.perMinute(shop.tenant_id, {
        since: at('2030-05-01T09:00:00.000Z'),
        until: at('2030-05-01T10:00:00.000Z'),
      });
      assert.deepEqual(
        minutes.map(({ minute, envelopes }) => ({ minute, envelopes })),
        [
          { minute: '2030-05-01T09:58:00.000Z', envelopes: 2 },
          { minute: '2030-05-01T09:59:00.000Z', envelopes: 1 },
        ],
        "the stranger's envelopes and those outside the window are not counted",
      );
      assert.deepEqual(
        minutes.map((m) => [m.routed_p50_ms, m.routed_p95_ms]),
        [
          [null, null],
          [null, null],
        ],
        'no job, no routing latency',
      );
    });

    it('measures receipt → job created per minute over the jobs of its envelopes', async () => {
      const tenant = await createTestConnection(store, 'Stats routed');
      const ids = await receive(tenant, [
        '2030-05-01T11:00:01.000Z',
        '2030-05-01T11:00:02.000Z',
        '2030-05-01T11:00:03.000Z',
      ]);
      // Routed 100, 200 and 1000 ms after receipt; the third envelope's job under two triggers.
      const routes: Array<[number, string, string]> = [
        [0, 'trg_a', '2030-05-01T11:00:01.100Z'],
        [1, 'trg_a', '2030-05-01T11:00:02.200Z'],
        [2, 'trg_a', '2030-05-01T11:00:04.000Z'],
        [2, 'trg_b', '2030-05-01T11:00:04.000Z'],
      ];
      for (const [index, trigger, time] of routes) {
        clock = at(time);
        await store.jobs.createMany([jobOf(tenant, ids[index] as string, trigger, index)]);
      }
      const [minute, ...rest] = await store.ingestStats.perMinute(tenant.tenant_id, {
        since: at('2030-05-01T11:00:00.000Z'),
        until: at('2030-05-01T12:00:00.000Z'),
      });
      assert.equal(rest.length, 0);
      assert.equal(minute?.envelopes, 3, 'jobs do not multiply the envelope count');
      // Over [100, 200, 1000, 1000]: the median is 600, the 95th percentile 1000.
      assert.equal(minute?.routed_p50_ms, 600);
      assert.equal(minute?.routed_p95_ms, 1000);
    });
  });
}
