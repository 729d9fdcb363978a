import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { PrivateBroker } from './testing/mqtt-broker.ts';
import { type MqttWorld, mqttWorld, publisher, readingTopic, until } from './testing/mqtt-world.ts';

const T0 = Date.parse('2026-11-30T09:00:00.000Z');
const reading = (i: number) => JSON.stringify({ value: i, unit: 'kWh', ts: T0 + i * 1000 });

describe('mqtt gateway across a broker restart (a private Mosquitto on its own port)', () => {
  let world: MqttWorld;
  let broker: PrivateBroker;
  before(async () => {
    world = await mqttWorld();
    broker = await PrivateBroker.start();
  });
  after(async () => {
    await world.close();
    await broker.close();
  });

  it('stores every QoS 1 reading once, and the gateway reconnects with growing waits', async () => {
    const prefix = world.prefix();
    let connects = 0;
    const waits: number[] = [];
    const gateway = world.gateway({
      backoff: { baseMs: 50, maxMs: 400 },
      sessionEvents: () => ({
        onConnect: () => {
          connects += 1;
        },
        onOffline: (wait) => {
          waits.push(wait);
        },
      }),
    });
    await gateway.start();
    const connectionId = await world.connect(broker.url, prefix);
    await world.subscribed(connectionId);
    const pub = await publisher(broker.url);
    const mine = async () => (await world.readings()).filter((e) => e.connection_id === connectionId);

    for (let i = 0; i < 10; i += 1) await pub.publishAsync(readingTopic(prefix, 1), reading(i), { qos: 1 });
    await until('the first ten', async () => (await mine()).length === 10);

    // Mid-stream: the broker goes down while readings keep coming; the publisher holds them.
    const sending = Promise.all(
      Array.from({ length: 10 }, (_, k) =>
        pub.publishAsync(readingTopic(prefix, 1), reading(10 + k), { qos: 1 }),
      ),
    );
    await broker.pause();
    const more = Array.from({ length: 10 }, (_, k) =>
      pub.publishAsync(readingTopic(prefix, 1), reading(20 + k), { qos: 1 }),
    );
    await sleep(900); // long enough for several reconnect attempts to fail
    const failedWaits = waits.length;
    await broker.resume();
    await Promise.all([sending, ...more]);
    for (let i = 30; i < 40; i += 1) await pub.publishAsync(readingTopic(prefix, 1), reading(i), { qos: 1 });
    await pub.endAsync();

    await until('all forty', async () => (await mine()).length >= 40, 20_000);
    await sleep(500);
    const stored = await mine();
    assert.equal(stored.length, 40);
    assert.deepEqual(
      [...new Set(stored.map((e) => e.payload['value']))].sort((a, b) => Number(a) - Number(b)),
      Array.from({ length: 40 }, (_, i) => i),
    );
    assert.ok(connects >= 2, `the session came back (${connects} connects)`);
    assert.ok(failedWaits >= 3, `several reconnect attempts while the broker was down (${failedWaits})`);
    // The waits doubled up to the cap (jittered down by at most a fifth).
    assert.ok((waits[0] ?? 0) <= 50 && (waits[0] ?? 0) >= 40, `first wait ${waits[0]}`);
    assert.ok((waits[2] ?? 0) >= 160, `third wait ${waits[2]}`);
    assert.ok(Math.max(...waits) <= 400);
    await gateway.stop();
  });

  it('a reading the broker queued for the gateway survives the restart and arrives once', async () => {
    const prefix = world.prefix();
    const gateway = world.gateway();
    await gateway.start();
    const connectionId = await world.connect(broker.url, prefix);
    await world.subscribed(connectionId);
    await gateway.stop();
    // Queued on the broker for the stopped gateway's session, then the broker restarts.
    const pub = await publisher(broker.url);
    for (let i = 0; i < 5; i += 1) await pub.publishAsync(readingTopic(prefix, 2), reading(i), { qos: 1 });
    await pub.endAsync();
    await broker.pause();
    await broker.resume();
    const again = world.gateway();
    await again.start();
    await until(
      'the five',
      async () => (await world.readings()).filter((e) => e.connection_id === connectionId).length === 5,
    );
    await sleep(300);
    assert.equal((await world.readings()).filter((e) => e.connection_id === connectionId).length, 5);
    await again.stop();
  });
});
