import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseTriggerBody } from './trigger-body.ts';
import { generateWebhookSecret, isWebhookSecret } from './webhook-secret.ts';

const VALID = {
  name: 'orders',
  event_types: ['order.*'],
  action: { type: 'http', url: 'https://example.test/hook', headers: { 'x-team': 'ops' } },
};
const rules = (body: unknown, options: Parameters<typeof parseTriggerBody>[1] = { mode: 'create' }) => {
  const parsed = parseTriggerBody(body, options);
  return parsed.ok ? [] : parsed.problems.map((p) => `${p.path} ${p.rule}`);
};

describe('trigger bodies', () => {
  it('accept a full body and keep the secret apart from the action', () => {
    const secret = generateWebhookSecret();
    const parsed = parseTriggerBody(
      {
        ...VALID,
        action: { ...VALID.action, secret, format: 'cloudevents' },
        priority: 'P4',
        enabled: false,
      },
      { mode: 'create', sql: () => ({ ok: true }) },
    );
    assert.ok(parsed.ok);
    assert.equal(parsed.draft.action?.secret, secret);
    assert.deepEqual(parsed.draft.action?.action, { ...VALID.action, format: 'cloudevents' });
    assert.equal(parsed.draft.priority, 'P4');
    assert.equal(parsed.draft.enabled, false);
  });

  it('refuse null event types on create and on update', () => {
    assert.deepEqual(rules({ ...VALID, event_types: null }), ['event_types event_types_size']);
    assert.deepEqual(rules({ event_types: null }, { mode: 'update', current: { event_types: ['a.b'] } }), [
      'event_types event_types_size',
    ]);
  });

  it('refuse SQL when no checker is given', () => {
    assert.deepEqual(rules({ ...VALID, condition: { sql: 'true' } }), ['condition.sql sql_unavailable']);
    assert.deepEqual(rules({ ...VALID, condition: 'sql "true"' }), ['condition.sql sql_unavailable']);
    assert.deepEqual(
      rules(
        { ...VALID, condition: { sql: 'nope' } },
        { mode: 'create', sql: () => ({ ok: false, message: 'bad' }) },
      ),
      ['condition.sql sql_invalid'],
    );
  });

  it('check an update against what it changes only', () => {
    assert.deepEqual(rules({ enabled: true }, { mode: 'update' }), []);
    assert.deepEqual(
      rules(
        { condition: { path: 'payload.x', op: 'exists' } },
        { mode: 'update', current: { event_types: ['*'] } },
      ),
      [],
    );
    assert.deepEqual(rules({ id: 'trg_x' }, { mode: 'update' }), ['id field_unknown', ' changes_empty']);
    assert.deepEqual(rules(null), [' body_type']);
  });

  it('take a Standard Webhooks secret of 24 to 64 bytes only', () => {
    const of = (bytes: number) => `whsec_${Buffer.alloc(bytes, 1).toString('base64')}`;
    assert.ok(isWebhookSecret(of(24)) && isWebhookSecret(of(64)) && isWebhookSecret(generateWebhookSecret()));
    for (const bad of [of(23), of(65), 'whsec_!!!!', `${of(32)}x`, of(32).slice(6), 42]) {
      assert.equal(isWebhookSecret(bad), false, String(bad));
    }
  });
});
