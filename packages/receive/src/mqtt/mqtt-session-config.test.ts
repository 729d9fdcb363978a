import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { backoffDelay } from './backoff.ts';
import { brokerTargetRefusal, isPrivateAddress } from './broker-target.ts';
import { isTopicFilter, sessionConfigOf } from './mqtt-session-config.ts';

describe('mqtt session config', () => {
  it('reads broker_url, topics, qos (default 1) and credentials', () => {
    assert.deepEqual(
      sessionConfigOf({
        broker_url: 'mqtts://broker.example.com:8883',
        topics: ['sites/+/gateways/#', 'sites/+/gateways/#'],
        username: 'gw',
        password: 'pw',
      }),
      {
        ok: true,
        value: {
          brokerUrl: 'mqtts://broker.example.com:8883',
          host: 'broker.example.com',
          topics: ['sites/+/gateways/#'],
          qos: 1,
          username: 'gw',
          password: 'pw',
        },
      },
    );
  });

  it('refuses what no broker session can use, naming the key', () => {
    const problem = (config: Record<string, unknown>) => {
      const result = sessionConfigOf({ broker_url: 'mqtt://127.0.0.1:1883', topics: ['a/#'], ...config });
      assert.equal(result.ok, false);
      return result.ok ? '' : result.message;
    };
    assert.match(problem({ broker_url: 'http://x' }), /broker_url/);
    assert.match(problem({ broker_url: 'mqtt://u:p@x' }), /no credentials/);
    assert.match(problem({ topics: [] }), /topics/);
    assert.match(problem({ topics: ['a/#/b'] }), /topics/);
    assert.match(problem({ qos: 3 }), /qos/);
    assert.match(problem({ password: 7 }), /strings/);
  });

  it('knows a topic filter', () => {
    for (const ok of ['a', 'a/+/b', '#', 'a/#', '+']) assert.ok(isTopicFilter(ok), ok);
    for (const bad of ['', 'a/#/b', 'a/b+', 'a#']) assert.ok(!isTopicFilter(bad), bad);
  });
});

describe('mqtt reconnect backoff', () => {
  it('doubles from the base up to the cap, jittered down by at most a fifth', () => {
    const backoff = { baseMs: 100, maxMs: 1000 };
    assert.deepEqual(
      [0, 1, 2, 3, 4, 10, 1000].map((attempt) => backoffDelay(backoff, attempt, () => 0)),
      [100, 200, 400, 800, 1000, 1000, 1000],
    );
    assert.equal(
      backoffDelay(backoff, 10, () => 0.999),
      800,
    );
  });
});

describe('mqtt broker target', () => {
  it('classifies loopback and private addresses', () => {
    for (const address of [
      '127.0.0.1',
      '10.1.2.3',
      '192.168.1.1',
      '172.20.0.1',
      '::1',
      'fd00::1',
      '::ffff:10.0.0.1',
    ]) {
      assert.ok(isPrivateAddress(address), address);
    }
    for (const address of ['8.8.8.8', '2001:4860:4860::8888', 'not-an-ip'])
      assert.ok(!isPrivateAddress(address), address);
  });

  it('refuses a private broker unless private targets are allowed', async () => {
    assert.match((await brokerTargetRefusal('127.0.0.1', false)) ?? '', /SLUICE_ALLOW_PRIVATE_TARGETS/);
    assert.match((await brokerTargetRefusal('localhost', false)) ?? '', /private address/);
    assert.equal(await brokerTargetRefusal('127.0.0.1', true), null);
  });
});
