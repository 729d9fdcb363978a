import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { BUS_ADAPTERS, type TestBus } from '@sluice/bus-redis/testing';
import type { Connection, Stores } from '@sluice/core';
import {
  createTestConnection,
  preparedEnvelope,
  STORE_ADAPTERS,
  type TestDatabase,
  waitForHorizon,
} from '@sluice/store/testing';
import { Relay } from './relay.ts';
import { eventually, failingFirst, probe } from './testing/relay-fixtures.ts';

const day = 24 * 3600 * 1000;

for (const storeAdapter of STORE_ADAPTERS) {
  for (const busAdapter of BUS_ADAPTERS) {
    describe(`relay: ${storeAdapter.name} store, ${busAdapter.name} bus`, () => {
      let db: TestDatabase;
      let store: Stores;

      before(async () => {
        db = await storeAdapter.open();
        store = db.store();
        await store.maintenance.migrate();
      });
      after(() => db.drop());

      /** A fresh bus; every relay and probe the test registers with `cleanup` is stopped, even on failure. */
      async function withBus(
        work: (test: TestBus, cleanup: (stop: { stop(): Promise<void> }) => void) => Promise<void>,
      ): Promise<void> {
        const test = await busAdapter.open({ leaseTtlMs: 900 });
        const running: Array<{ stop(): Promise<void> }> = [];
        try {
          await work(test, (stop) => running.push(stop));
        } finally {
          for (const worker of running.reverse()) await worker.stop();
          await test.close();
        }
      }

      const append = (connection: Connection, n: string, extra: { origin?: 'poll'; mode?: 'quiet' } = {}) =>
        store.events.append({
          connection,
          envelopes: [preparedEnvelope(connection, n, extra.mode === undefined ? {} : { mode: extra.mode })],
          dedupeWindowMs: day,
          ...(extra.origin === undefined ? {} : { origin: extra.origin }),
        });

      it('publishes each connection in order, attributes mirrored, and holds it until acknowledged', () =>
        withBus(async ({ bus }, cleanup) => {
          const a = await createTestConnection(store, 'Relay A');
          const b = await createTestConnection(store, 'Relay B');
          for (const n of ['a1', 'a2', 'a3']) await append(a, n, { origin: 'poll' });
          for (const n of ['b1', 'b2']) await append(b, n);
          const seen = probe(bus);
          cleanup(seen);
          const relay = new Relay({ outbox: store.outbox, bus, owner: 'relay-1', idleMs: 10 });
          relay.start();
          cleanup(relay);
          const mine = () => seen.messages.filter((m) => m.key === a.id || m.key === b.id);
          await eventually('5 messages', () => mine().length >= 5);
          const keysOf = (connection: Connection) =>
            mine()
              .filter((m) => m.key === connection.id)
              .map((m) => (JSON.parse(m.body) as { dedupe_key: string }).dedupe_key);
          assert.deepEqual(
            keysOf(a),
            ['a1', 'a2', 'a3'].map((n) => `shop:order:${n}:created`),
          );
          assert.deepEqual(
            keysOf(b),
            ['b1', 'b2'].map((n) => `shop:order:${n}:created`),
          );
          const rows = await store.outbox.readConnection(a.tenant_id, a.id, 0, 10);
          for (const message of mine().filter((m) => m.key === a.id)) {
            const envelope = JSON.parse(message.body) as {
              event_id: string;
              tenant_id: string;
              trace_id: string;
            };
            assert.equal(message.attributes.event_id, envelope.event_id);
            assert.equal(message.attributes.tenant_id, a.tenant_id);
            assert.equal(message.attributes.connection_id, a.id);
            assert.equal(message.attributes.event_type, 'order.created');
            assert.equal(message.attributes.trace_id, envelope.trace_id);
            assert.equal(message.attributes.correlation_id.startsWith('corr-'), true);
            assert.equal(message.attributes.schema_version, '1');
            assert.equal(message.attributes.mode, 'live');
            assert.equal(message.attributes.origin, 'poll');
            const row = rows.find((r) => r.event_id === envelope.event_id);
            assert.equal(message.attributes.position, row?.position);
          }
          // Not acknowledged yet: held, and not sent again while the lease lasts.
          await new Promise((resolve) => setTimeout(resolve, 100));
          assert.equal(mine().length, 5);
          assert.equal(
            rows.every((r) => r.relayed_at === null),
            true,
          );
          await append(a, 'a4');
          await new Promise((resolve) => setTimeout(resolve, 100));
          assert.equal(mine().length, 5, 'a held connection waits');
          await store.outbox.acknowledge(mine().map((m) => m.attributes.position));
          await eventually('a4 after the acknowledgement', () => mine().length >= 6);
          assert.equal(mine()[5]?.attributes.connection_id, a.id);
        }));

      it('publishes platform events on their own topic too, each once, in order per key', () =>
        withBus(async ({ bus }, cleanup) => {
          const a = await createTestConnection(store, 'Receipts A');
          const b = await createTestConnection(store, 'Receipts B');
          const receipt = (connection: Connection, n: string, type: string) =>
            store.events.append({
              connection,
              envelopes: [
                preparedEnvelope(connection, n, {
                  source: 'sluice',
                  event_type: type,
                  stream: 'platform',
                  dedupe_key: `job:${n}:${type}:1`,
                  payload: { entity: { kind: 'job', id: n } },
                }),
              ],
              dedupeWindowMs: day,
            });
          await append(a, 'order-1');
          await receipt(a, 'job-a1', 'run.completed');
          await receipt(a, 'job-a2', 'webhook.delivered');
          await receipt(b, 'job-b1', 'run.completed');
          await receipt(a, 'job-a3', 'run.completed');
          await receipt(a, 'job-a4', 'connection.established');
          // A source envelope whose type happens to be a platform type stays on `envelopes` alone.
          await store.events.append({
            connection: b,
            envelopes: [preparedEnvelope(b, 'spoof', { event_type: 'run.completed' })],
            dedupeWindowMs: day,
          });
          const topics = ['envelopes', 'runs', 'webhooks', 'connections'] as const;
          const seen = Object.fromEntries(
            topics.map((topic) => [topic, probe(bus, `probe-${topic}`, topic)]),
          );
          for (const each of Object.values(seen)) cleanup(each);
          const relay = new Relay({ outbox: store.outbox, bus, owner: 'relay-r', idleMs: 10 });
          relay.start();
          cleanup(relay);
          const mine = (topic: (typeof topics)[number]) =>
            (seen[topic]?.messages ?? [])
              .filter((m) => m.key === a.id || m.key === b.id)
              .map(
                (m) =>
                  `${m.key === a.id ? 'a' : 'b'}:${(JSON.parse(m.body) as { dedupe_key: string }).dedupe_key}`,
              );
          await eventually('every envelope', () => mine('envelopes').length >= 7);
          await eventually('the receipts', () => mine('runs').length >= 3 && mine('connections').length >= 1);
          await store.outbox.acknowledge(
            (seen['envelopes']?.messages ?? []).map((m) => m.attributes.position),
          );
          // Acknowledged: nothing is sent again, and nothing else arrives.
          await new Promise((resolve) => setTimeout(resolve, 200));
          // Exactly the run receipts, once each; order holds per key (partitions interleave freely).
          assert.deepEqual([...mine('runs')].sort(), [
            'a:job:job-a1:run.completed:1',
            'a:job:job-a3:run.completed:1',
            'b:job:job-b1:run.completed:1',
          ]);
          const perKey = (topic: (typeof topics)[number], key: string) =>
            mine(topic).filter((m) => m.startsWith(`${key}:`));
          assert.deepEqual(perKey('runs', 'a'), [
            'a:job:job-a1:run.completed:1',
            'a:job:job-a3:run.completed:1',
          ]);
          assert.deepEqual(mine('webhooks'), ['a:job:job-a2:webhook.delivered:1']);
          assert.deepEqual(mine('connections'), ['a:job:job-a4:connection.established:1']);
          assert.equal(mine('envelopes').length, 7, 'every envelope still on envelopes, once');
          const run = seen['runs']?.messages.find((m) => m.key === a.id);
          assert.equal(run?.attributes.event_type, 'run.completed');
          assert.equal(run?.attributes.tenant_id, a.tenant_id);
        }));

      it('never publishes a quiet envelope: ingest gives it no outbox row', () =>
        withBus(async ({ bus }, cleanup) => {
          const connection = await createTestConnection(store, 'Quiet');
          await append(connection, 'q1', { mode: 'quiet' });
          await append(connection, 'q2', { mode: 'quiet' });
          await append(connection, 'live1');
          const rows = await store.outbox.readConnection(connection.tenant_id, connection.id, 0, 10);
          assert.equal(rows.length, 1, 'only the live envelope has an outbox row');
          const seen = probe(bus);
          cleanup(seen);
          const relay = new Relay({ outbox: store.outbox, bus, owner: 'relay-q', idleMs: 10 });
          relay.start();
          cleanup(relay);
          const mine = () => seen.messages.filter((m) => m.key === connection.id);
          await eventually('the live envelope', () => mine().length >= 1);
          await new Promise((resolve) => setTimeout(resolve, 150));
          assert.deepEqual(
            mine().map((m) => [m.attributes.mode, (JSON.parse(m.body) as { dedupe_key: string }).dedupe_key]),
            [['live', 'shop:order:live1:created']],
          );
        }));

      it('sends again what a relay published but nobody acknowledged, once its lease lapses', () =>
        withBus(async ({ bus }, cleanup) => {
          const connection = await createTestConnection(store, 'Crash');
          // One transaction: a claim takes both rows or neither, whatever holds the commit horizon back.
          await store.events.append({
            connection,
            envelopes: [preparedEnvelope(connection, 'c1'), preparedEnvelope(connection, 'c2')],
            dedupeWindowMs: day,
          });
          const seen = probe(bus);
          cleanup(seen);
          const mine = () => seen.messages.filter((m) => m.key === connection.id);
          // The first relay publishes and dies before anything acknowledges: its rows stay leased.
          const leaseMs = 600;
          const dead = new Relay({ outbox: store.outbox, bus, owner: 'relay-dead', leaseMs });
          let claimedAt = 0;
          await eventually('the first publish', async () => {
            claimedAt = Date.now();
            return (await dead.runOnce()).published === 2;
          });
          await eventually('2 messages', () => mine().length >= 2);
          const second = new Relay({
            outbox: store.outbox,
            bus,
            owner: 'relay-2',
            idleMs: 10,
            leaseMs: 60_000,
          });
          second.start();
          cleanup(second);
          await eventually('the repeat', () => mine().length >= 4, 5_000);
          assert.ok(Date.now() - claimedAt >= leaseMs, 'not before the lease lapsed');
          assert.equal(mine().length, 4);
          const positions = mine().map((m) => m.attributes.position);
          assert.deepEqual(positions.slice(2), positions.slice(0, 2), 'the same rows, in the same order');
          await store.outbox.acknowledge(positions);
          assert.equal(
            (await store.outbox.readConnection(connection.tenant_id, connection.id, 0, 10)).every(
              (r) => r.relayed_at !== null,
            ),
            true,
          );
        }));

      it('backs off while the bus refuses, never stops, and relays once it is back', () =>
        withBus(async ({ bus }, cleanup) => {
          const connection = await createTestConnection(store, 'Outage');
          await append(connection, 'o1');
          const flaky = failingFirst(bus, 2);
          const errors: unknown[] = [];
          const seen = probe(bus);
          cleanup(seen);
          const relay = new Relay({
            outbox: store.outbox,
            bus: flaky,
            owner: 'relay-o',
            idleMs: 10,
            backoff: { minMs: 20, maxMs: 40 },
            onError: (error) => errors.push(error),
          });
          relay.start();
          cleanup(relay);
          await eventually('the envelope', () => seen.messages.some((m) => m.key === connection.id));
          assert.equal(flaky.refused, 2);
          assert.equal(errors.length, 2);
        }));

      it('is woken by a nudge instead of waiting out its idle interval', () =>
        withBus(async ({ bus }, cleanup) => {
          const connection = await createTestConnection(store, 'Nudge');
          const seen = probe(bus);
          cleanup(seen);
          const relay = new Relay({ outbox: store.outbox, bus, owner: 'relay-n', idleMs: 60_000 });
          relay.start();
          cleanup(relay);
          await new Promise((resolve) => setTimeout(resolve, 50));
          await append(connection, 'n1');
          // A claim reads only below the cluster's commit horizon; another test's open transaction holds it.
          await waitForHorizon(db.client);
          relay.nudge();
          await eventually(
            'the nudged envelope',
            () => seen.messages.some((m) => m.key === connection.id),
            3_000,
          );
        }));

      it('with appendsNudge, looks after an acknowledgement only if something was appended since its claim', () =>
        withBus(async ({ bus }, cleanup) => {
          const connection = await createTestConnection(store, 'AppendsNudge');
          const seen = probe(bus);
          cleanup(seen);
          let claims = 0;
          let claimsDone = 0;
          const outbox = Object.assign(Object.create(store.outbox) as typeof store.outbox, {
            claim: (claim: Parameters<typeof store.outbox.claim>[0]) => {
              claims++;
              return store.outbox.claim(claim).finally(() => {
                claimsDone++;
              });
            },
          });
          const relay = new Relay({ outbox, bus, owner: 'relay-an', idleMs: 60_000, appendsNudge: true });
          relay.start();
          cleanup(relay);
          // Ended, not only started: a first claim still in flight could read the append below and publish
          // it itself, and the nudge would then start a claim of its own after the count is taken.
          await eventually('the first, empty claim', () => claimsDone === 1, 3_000);
          await append(connection, 'an1');
          // A claim reads only below the cluster's commit horizon; another test's open transaction holds it.
          await waitForHorizon(db.client);
          relay.nudge();
          await eventually(
            'the nudged envelope',
            () => seen.messages.some((m) => m.key === connection.id),
            3_000,
          );
          const afterPublish = claims;
          relay.acknowledged();
          // A few turns of the event loop: an acknowledgement alone does not start a claim.
          for (let turn = 0; turn < 20; turn++) await new Promise((resolve) => setImmediate(resolve));
          assert.equal(claims, afterPublish, 'no claim after an acknowledgement with nothing appended');
          relay.nudge();
          await eventually('a claim after the next append', () => claims === afterPublish + 1, 3_000);
        }));
    });
  }
}
