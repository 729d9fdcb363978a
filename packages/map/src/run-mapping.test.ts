import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ConnectorSpec, Emission, MapInput } from '@sluice/core';
import { defineConnector } from './define-connector.ts';
import { runMapping } from './run-mapping.ts';

const input: MapInput = {
  body: { id: 42 },
  rawBody: Buffer.from('{"id":42}'),
  headers: { 'x-topic': 'orders/create' },
  config: {},
  connectionId: 'con_1',
  tenantId: 'ten_1',
};

const emission: Emission = {
  source: 'cn-shop',
  event_type: 'order.created',
  dedupe_key: 'shop:order:42:created',
  payload: { entity: { kind: 'order', id: '42' } },
};

function connectorWith(map: ConnectorSpec['map']) {
  return defineConnector({
    id: 'cn-shop',
    streams: [{ key: 'events', mode: 'webhook', events: ['order.created'] }],
    webhook: { verify: { scheme: 'shopify' } },
    ...(map === undefined ? {} : { map }),
  });
}

describe('runMapping', () => {
  it('passes the delivery to the mapping and wraps a single emission in a list', () => {
    let seen: MapInput | undefined;
    const result = runMapping(
      connectorWith((delivery) => {
        seen = delivery;
        return emission;
      }),
      input,
    );
    assert.deepEqual(result, { ok: true, emissions: [emission] });
    assert.equal(seen, input);
  });

  it('keeps a list of emissions in order', () => {
    const second = { ...emission, dedupe_key: 'shop:order:43:created' };
    const result = runMapping(
      connectorWith(() => [emission, second]),
      input,
    );
    assert.deepEqual(result, { ok: true, emissions: [emission, second] });
  });

  it('turns null into no emissions', () => {
    assert.deepEqual(
      runMapping(
        connectorWith(() => null),
        input,
      ),
      { ok: true, emissions: [] },
    );
  });

  it('does not validate the emissions themselves', () => {
    const undeclared = { ...emission, event_type: 'order.exploded' };
    assert.deepEqual(
      runMapping(
        connectorWith(() => undeclared),
        input,
      ),
      { ok: true, emissions: [undeclared] },
    );
  });

  it('returns a thrown Error as a failure with its message and stack', () => {
    const result = runMapping(
      connectorWith(() => {
        throw new Error('unknown topic "orders/delete"');
      }),
      input,
    );
    assert.equal(result.ok, false);
    if (result.ok) return;
    assert.equal(result.error.message, 'unknown topic "orders/delete"');
    assert.match(result.error.stack ?? '', /run-mapping\.test\.ts/);
  });

  it('returns a thrown non-Error as a failure', () => {
    const result = runMapping(
      connectorWith(() => {
        throw 'boom';
      }),
      input,
    );
    assert.deepEqual(result, { ok: false, error: { stage: 'map', message: 'the mapping threw "boom"' } });
  });

  it('rejects a list element that is not an emission, naming its index', () => {
    const result = runMapping(
      connectorWith(() => [emission, null] as unknown as Emission[]),
      input,
    );
    assert.equal(result.ok, false);
    if (result.ok) return;
    assert.equal(result.error.index, 1);
    assert.equal(result.error.rule, 'map_result_shape');
  });

  it('rejects undefined (a mapping that forgot to return)', () => {
    const result = runMapping(
      connectorWith(() => undefined as unknown as null),
      input,
    );
    assert.equal(result.ok, false);
    if (result.ok) return;
    assert.equal(result.error.rule, 'map_result_shape');
    assert.match(result.error.message, /returned undefined/);
  });

  it('rejects an async mapping without leaving its rejection unhandled', async () => {
    const result = runMapping(
      connectorWith((async () => {
        throw new Error('late');
      }) as unknown as ConnectorSpec['map']),
      input,
    );
    assert.equal(result.ok, false);
    if (result.ok) return;
    assert.equal(result.error.rule, 'map_async');
    await new Promise((resolve) => setImmediate(resolve));
  });

  it('reports a connector without a mapping', () => {
    const connector = defineConnector({
      id: 'internal',
      streams: [{ key: 'things', mode: 'emit', events: ['thing.happened'] }],
    });
    const result = runMapping(connector, input);
    assert.equal(result.ok, false);
    if (result.ok) return;
    assert.equal(result.error.rule, 'map_missing');
  });
});
