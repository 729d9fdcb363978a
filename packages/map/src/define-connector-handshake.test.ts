import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SluiceError } from '@sluice/core';
import { defineConnector } from './define-connector.ts';

const rulesOf = (fn: () => unknown): string[] => {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof SluiceError);
    return (error.details as { problems: Array<{ rule: string }> }).problems.map((p) => p.rule);
  }
  assert.fail('expected a definition error');
};

describe('defineConnector: handshake and subscribe streams', () => {
  const webhookStream = { key: 'events', mode: 'webhook' as const, events: ['message.posted'] };

  it('keeps a handshake of a webhook connector', () => {
    const handshake = () => ({ status: 200, body: 'ok' });
    const connector = defineConnector({
      id: 'chat',
      streams: [webhookStream],
      webhook: { verify: { scheme: 'slack' } },
      map: () => null,
      handshake,
    });
    assert.equal(connector.handshake, handshake);
    assert.equal(
      defineConnector({
        id: 'plain',
        streams: [webhookStream],
        webhook: { verify: { scheme: 'slack' } },
        map: () => null,
      }).handshake,
      null,
    );
  });

  it('refuses a handshake that is no function, or on a connector that receives no webhooks', () => {
    assert.deepEqual(
      rulesOf(() =>
        defineConnector({
          id: 'chat',
          streams: [webhookStream],
          webhook: { verify: { scheme: 'slack' } },
          map: () => null,
          handshake: 'yes' as never,
        }),
      ),
      ['handshake_type'],
    );
    assert.deepEqual(
      rulesOf(() =>
        defineConnector({
          id: 'feed',
          streams: [{ key: 'readings', mode: 'subscribe', events: ['reading.recorded'] }],
          map: () => null,
          handshake: () => null,
        }),
      ),
      ['handshake_webhook_only'],
    );
  });

  it('accepts subscribe streams with a mapping and no verification, and needs the mapping', () => {
    const connector = defineConnector({
      id: 'feed',
      streams: [{ key: 'readings', mode: 'subscribe', events: ['reading.recorded'] }],
      map: () => null,
    });
    assert.equal(connector.streams[0]?.mode, 'subscribe');
    assert.deepEqual(
      rulesOf(() =>
        defineConnector({
          id: 'feed',
          streams: [{ key: 'readings', mode: 'subscribe', events: ['reading.recorded'] }],
        }),
      ),
      ['map_missing'],
    );
  });
});
