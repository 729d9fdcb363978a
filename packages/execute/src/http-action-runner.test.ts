import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { HttpAction } from '@sluice/core';
import type { DeliveryRequest } from './delivery-request.ts';
import { HttpActionRunner } from './http-action-runner.ts';
import { actionContextFixture } from './testing/action-context-fixture.ts';

const action: HttpAction = { type: 'http', url: 'https://hooks.example.com/in' };

/** A runner over a deliverer that keeps each request, with a secret lookup that counts its calls. */
function runnerWith(secrets: Array<string | Error>) {
  const sent: DeliveryRequest[] = [];
  let lookups = 0;
  const runner = new HttpActionRunner({
    deliverer: {
      send: async (request) => {
        sent.push(request);
        return { kind: 'delivered', status: 200, latency_ms: 1 };
      },
    },
    secretOf: async () => {
      const next = secrets[Math.min(lookups++, secrets.length - 1)];
      if (next instanceof Error) throw next;
      return next ?? null;
    },
    now: () => Date.parse('2026-06-11T09:05:00Z'),
  });
  return { runner, sent, lookups: () => lookups };
}

describe('http action runner, secrets', () => {
  it('looks a trigger’s secret up once per version of the trigger', async () => {
    const { runner, sent, lookups } = runnerWith([`whsec_${'a'.repeat(32)}`, `whsec_${'b'.repeat(32)}`]);
    const context = actionContextFixture(action);
    await runner.run(context);
    await runner.run(context);
    assert.equal(lookups(), 1, 'the same trigger version: looked up once');
    const changed = { ...context, trigger: { ...context.trigger, updated_at: '2026-06-11T09:04:00Z' } };
    await runner.run(changed);
    assert.equal(lookups(), 2, 'a changed trigger (a new secret, say) is looked up again');
    const [first, , third] = sent.map((request) => request.headers['webhook-signature']);
    assert.notEqual(first, third, 'signed with the new secret');
  });

  it('does not keep a lookup that failed', async () => {
    const { runner, lookups } = runnerWith([new Error('store down'), `whsec_${'a'.repeat(32)}`]);
    const context = actionContextFixture(action);
    const refused = await runner.run(context);
    assert.equal(refused.kind, 'refused');
    const delivered = await runner.run(context);
    assert.equal(delivered.kind, 'delivered');
    assert.equal(lookups(), 2);
  });
});
