import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Ingestor } from '@sluice/ingest';
import { SHARED_BROKER_URL } from './testing/mqtt-broker.ts';
import { type MqttWorld, mqttWorld, publisher, readingTopic, until } from './testing/mqtt-world.ts';

const T0 = Date.parse('2026-11-30T08:00:00.000Z');
const reading = (i: number) => JSON.stringify({ value: 20 + i / 10, unit: 'degC', ts: T0 + i * 1000 });

describe('mqtt gateway (shared broker on 127.0.0.1:1883)', () => {
  let world: MqttWorld;
  before(async () => {
    world = await mqttWorld();
  });
  after(() => world.close());

  it('stores each reading once, as a reading of its zone from its gateway, and a replay adds nothing', async () => {
    const prefix = world.prefix();
    const gateway = world.gateway();
    await gateway.start();
    const connectionId = await world.connect(SHARED_BROKER_URL, prefix);
    await world.subscribed(connectionId);
    const before = (await world.readings()).length;
    const pub = await publisher(SHARED_BROKER_URL);
    for (let i = 0; i < 10; i += 1) await pub.publishAsync(readingTopic(prefix, 12), reading(i), { qos: 1 });
    const stored = (await world.awaitReadings(before + 10)).filter((e) => e.connection_id === connectionId);
    assert.equal(stored.length, 10);
    assert.equal(new Set(stored.map((e) => e.dedupe_key)).size, 10);
    const first = stored.find((e) => e.dedupe_key === `bacnet-gw-7:12:temperature:${T0 / 1000}`);
    assert.ok(first);
    assert.equal(first.source, 'bacnet-gw-7');
    assert.deepEqual(first.payload['entity'], { kind: 'zone', id: '12' });
    // A gateway that reconnects and replays its buffer: the same samples again, from a new session.
    await pub.endAsync();
    const replay = await publisher(SHARED_BROKER_URL);
    for (let i = 0; i < 10; i += 1)
      await replay.publishAsync(readingTopic(prefix, 12), reading(i), { qos: 1 });
    await replay.endAsync();
    await new Promise((resolve) => setTimeout(resolve, 800));
    const after = (await world.readings()).filter((e) => e.connection_id === connectionId);
    assert.equal(after.length, 10);
    await gateway.stop();
  });

  it('keeps an unmappable message as a dead letter with its topic and bytes, and goes on', async () => {
    const prefix = world.prefix();
    const gateway = world.gateway();
    await gateway.start();
    const connectionId = await world.connect(SHARED_BROKER_URL, prefix);
    await world.subscribed(connectionId);
    const pub = await publisher(SHARED_BROKER_URL);
    await pub.publishAsync(readingTopic(prefix, 12), 'not json', { qos: 1 });
    await pub.publishAsync(readingTopic(prefix, 12), JSON.stringify({ unit: 'degC', ts: T0 }), { qos: 1 });
    await pub.publishAsync(readingTopic(prefix, 14), reading(1), { qos: 1 });
    await pub.endAsync();
    const deadLetters = async () =>
      (await world.app.store.deadLetters.list(world.tenantId, {}, { limit: 100 })).items.filter(
        (d) => d.connection_id === connectionId,
      );
    await until('two dead letters', async () => (await deadLetters()).length === 2);
    const letters = await deadLetters();
    for (const letter of letters) {
      assert.equal(letter.kind, 'ingest');
      assert.equal(letter.connector, 'mqtt');
      assert.equal(letter.event_payload.headers['mqtt-topic'], readingTopic(prefix, 12));
    }
    const bodies = letters.map((d) => Buffer.from(d.event_payload.body_base64, 'base64').toString()).sort();
    assert.deepEqual(bodies, ['not json', JSON.stringify({ unit: 'degC', ts: T0 })]);
    assert.ok(letters.some((d) => /needs a value/.test(d.error_message)));
    await until('the good reading', async () =>
      (await world.readings()).some(
        (e) => e.connection_id === connectionId && e.payload['entity'] !== undefined,
      ),
    );
    await gateway.stop();
  });

  it('holds a persistent session: readings published while the gateway is stopped arrive when it is back', async () => {
    const prefix = world.prefix();
    const first = world.gateway();
    await first.start();
    const connectionId = await world.connect(SHARED_BROKER_URL, prefix);
    await world.subscribed(connectionId);
    await first.stop();
    const pub = await publisher(SHARED_BROKER_URL);
    for (let i = 0; i < 5; i += 1) await pub.publishAsync(readingTopic(prefix, 3), reading(i), { qos: 1 });
    await pub.endAsync();
    const second = world.gateway();
    await second.start();
    await until(
      'the five readings',
      async () => (await world.readings()).filter((e) => e.connection_id === connectionId).length === 5,
    );
    await second.stop();
  });

  it('acknowledges only after the commit: a message whose commit failed is sent again and stored once', async () => {
    const prefix = world.prefix();
    let failures = 2;
    const flaky: Pick<Ingestor, 'ingest'> = {
      ingest: (...args) => {
        if (failures > 0) {
          failures -= 1;
          return Promise.reject(new Error('connection to the database lost'));
        }
        return world.app.ctx.ingestor.ingest(...args);
      },
    };
    let connects = 0;
    const gateway = world.gateway({
      ingestor: flaky as typeof world.app.ctx.ingestor,
      attempts: 1,
      sessionEvents: () => ({
        onConnect: () => {
          connects += 1;
        },
      }),
    });
    await gateway.start();
    const connectionId = await world.connect(SHARED_BROKER_URL, prefix);
    await world.subscribed(connectionId);
    const pub = await publisher(SHARED_BROKER_URL);
    await pub.publishAsync(readingTopic(prefix, 9), reading(0), { qos: 1 });
    await pub.endAsync();
    await until('the reading', async () =>
      (await world.readings()).some((e) => e.connection_id === connectionId),
    );
    assert.equal(failures, 0);
    assert.ok(connects >= 2, `the session reconnected for the redelivery (${connects} connects)`);
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal((await world.readings()).filter((e) => e.connection_id === connectionId).length, 1);
    await gateway.stop();
  });

  it('stops the session of a retired connection', async () => {
    const prefix = world.prefix();
    const gateway = world.gateway();
    await gateway.start();
    const connectionId = await world.connect(SHARED_BROKER_URL, prefix);
    await until('the session', () => gateway.sessions.includes(connectionId));
    const response = await world.app.app.inject({
      method: 'POST',
      url: `/api/v1/connections/${connectionId}/retire`,
      headers: world.auth,
    });
    assert.ok(response.statusCode < 300, response.body);
    await until('the session to stop', () => !gateway.sessions.includes(connectionId));
    await gateway.stop();
  });
});
