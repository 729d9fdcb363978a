import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isSluiceError } from '@sluice/core';
import { ConnectorRegistry } from './connector-registry.ts';
import { defineConnector } from './define-connector.ts';

const make = (id: string) =>
  defineConnector({ id, streams: [{ key: 'things', mode: 'emit', events: ['thing.happened'] }] });

describe('ConnectorRegistry', () => {
  it('registers, gets and lists connectors in registration order', () => {
    const a = make('a');
    const b = make('b');
    const registry = new ConnectorRegistry([a]);
    assert.equal(registry.register(b), b);
    assert.equal(registry.get('a'), a);
    assert.equal(registry.get('missing'), null);
    assert.equal(registry.require('b'), b);
    assert.deepEqual(registry.list(), [a, b]);
  });

  it('rejects a second connector with the same id', () => {
    const registry = new ConnectorRegistry([make('a')]);
    assert.throws(
      () => registry.register(make('a')),
      (error: unknown) =>
        isSluiceError(error) &&
        error.code === 'connector_definition_invalid' &&
        (error.details as { rule: string }).rule === 'connector_id_unique' &&
        error.message.includes('connector "a"'),
    );
    assert.equal(registry.list().length, 1);
  });

  it('require throws connector_not_found for an unknown id', () => {
    assert.throws(
      () => new ConnectorRegistry().require('nope'),
      (error: unknown) =>
        isSluiceError(error) && error.code === 'connector_not_found' && error.status === 404,
    );
  });

  it('list returns a copy', () => {
    const registry = new ConnectorRegistry([make('a')]);
    (registry.list() as unknown[]).pop();
    assert.equal(registry.list().length, 1);
  });
});
