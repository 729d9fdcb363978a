import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { Emission, HandlerAction } from '@sluice/core';
import { ConnectorRegistry } from '@sluice/map';
import { ConnectorActionRunner } from '../connector-action-runner.ts';
import { HttpDeliverer } from '../http-deliverer.ts';
import {
  actionContextFixture,
  answer,
  connectionFixture,
  deliveringRunner,
  envelopeFixture,
  shopConnector,
  startReceiver,
  type TestReceiver,
} from '../testing/index.ts';
import { defineOperator } from './define-operator.ts';
import type { EmitFollowUps, FollowUpCause, FollowUpTarget } from './follow-ups.ts';
import { HandlerActionRunner, type HandlerResult } from './handler-action-runner.ts';
import { OperatorRegistry } from './operator-registry.ts';
import type { Plan } from './plan.ts';

let provider: TestReceiver;
let hook: TestReceiver;
let deliverer: HttpDeliverer;
let connectors: ConnectorActionRunner;
let emitted: Array<{ target: FollowUpTarget; emissions: ReadonlyArray<Emission>; cause: FollowUpCause }>;
let allowed: string[];
let dryRun: boolean;
let nextPlan: unknown;

const followUp: Emission = {
  source: 'cn-shop',
  event_type: 'order.hold_requested',
  dedupe_key: 'risk:order:1001:hold',
  payload: { entity: { kind: 'order', id: '1001' } },
  causation_id: 'made-up',
};

const riskPlan = (origin: string): Plan => ({
  actions: [
    {
      kind: 'connector:cn-shop.order.hold',
      entity_key: 'order:1001',
      idempotency_key: 'order-risk:order:1001:hold',
      input: { connection_id: 'con_api', input: { order_id: '1001', reason: 'risk' } },
    },
    {
      kind: 'http',
      entity_key: 'order:1001',
      idempotency_key: 'order-risk:order:1001:notify',
      input: { url: `${origin}/hook` },
    },
  ],
  emit: [followUp],
});

const record: EmitFollowUps = async (target, emissions, cause) => {
  emitted.push({ target, emissions, cause });
  return { status: 'committed', event_ids: emissions.map((_, i) => `evt_${i}`) };
};

let runner: HandlerActionRunner;
const handler: HandlerAction = { type: 'handler', name: 'order-risk' };
const envelope = envelopeFixture({
  event_id: 'evt_cause',
  correlation_id: 'corr-42',
  connection_id: 'con_api',
});
const run = () => runner.run(actionContextFixture(handler, { envelope }));

before(async () => {
  provider = await startReceiver(answer(200, { 'content-type': 'application/json' }, '{"held":true}'));
  hook = await startReceiver();
  deliverer = new HttpDeliverer({ allowPrivate: true });
  const connection = connectionFixture('cn-shop', { base_url: provider.origin, token: 'tok' });
  connectors = new ConnectorActionRunner({
    allowPrivate: true,
    connectors: new ConnectorRegistry([shopConnector]),
    connectionFor: async (tenantId, id) =>
      tenantId === connection.tenant_id && id === connection.id
        ? { connection, config: connection.config }
        : null,
  });
  const operators = new OperatorRegistry([
    defineOperator({ name: 'order-risk', run: () => nextPlan as Plan }),
    defineOperator({
      name: 'broken',
      run: () => {
        throw new Error('no plan today');
      },
    }),
  ]);
  runner = new HandlerActionRunner({
    operators,
    policy: { allowedKinds: () => allowed, dryRun: () => dryRun },
    runners: { http: deliveringRunner(deliverer), connector: connectors },
    emit: (target, emissions, cause) => record(target, emissions, cause),
    connectorIds: () => ['cn-shop', 'cn'],
  });
});

beforeEach(() => {
  emitted = [];
  allowed = ['http', 'connector:cn-shop.*'];
  dryRun = false;
  nextPlan = riskPlan(hook.origin);
});

after(async () => {
  connectors.close();
  deliverer.close();
  await Promise.all([provider.close(), hook.close()]);
});

describe('HandlerActionRunner', () => {
  it('runs the plan through the matching runners, each action under its own key, then emits caused follow-ups', async () => {
    const [providerBefore, hookBefore] = [provider.requests.length, hook.requests.length];
    const outcome = await run();
    assert.equal(outcome.kind, 'delivered');
    assert.ok(outcome.kind === 'delivered');
    const result = outcome.result as HandlerResult;
    assert.equal(result.dry_run, false);
    assert.deepEqual(
      result.actions.map((a) => [a.kind, a.status]),
      [
        ['connector:cn-shop.order.hold', 'delivered'],
        ['http', 'delivered'],
      ],
    );
    assert.deepEqual(
      result.actions[0]?.outcome && 'result' in result.actions[0].outcome
        ? result.actions[0].outcome.result
        : null,
      { held: true },
    );
    assert.equal(provider.requests[providerBefore]?.headers['idempotency-key'], 'order-risk:order:1001:hold');
    assert.equal(provider.requests[providerBefore]?.path, '/v1/orders/1001/hold');
    assert.equal(hook.requests[hookBefore]?.headers['webhook-id'], 'order-risk:order:1001:notify');
    assert.deepEqual(
      emitted.map((e) => e.target),
      [{ tenant_id: 'ten_01', connection_id: 'con_api' }],
    );
    assert.deepEqual(emitted[0]?.cause, {
      causation_id: 'evt_cause',
      correlation_id: 'corr-42',
      trace_id: envelope.trace_id,
    });
    assert.deepEqual(emitted[0]?.emissions, [
      { ...followUp, causation_id: 'evt_cause', correlation_id: 'corr-42', agent_id: 'operator:order-risk' },
    ]);
    assert.deepEqual(result.emitted, { status: 'committed', event_ids: ['evt_0'] });
  });

  it('a dry run records the plan and runs nothing', async () => {
    dryRun = true;
    const [providerBefore, hookBefore] = [provider.requests.length, hook.requests.length];
    const outcome = await run();
    assert.ok(outcome.kind === 'delivered');
    const result = outcome.result as HandlerResult;
    assert.equal(result.dry_run, true);
    assert.deepEqual(result.plan, nextPlan);
    assert.deepEqual(
      result.actions.map((a) => a.status),
      ['planned', 'planned'],
    );
    assert.equal(result.emitted, null);
    assert.deepEqual(
      [provider.requests.length, hook.requests.length, emitted.length],
      [providerBefore, hookBefore, 0],
    );
  });

  it('refuses and records kinds the tenant does not allow, and runs the rest', async () => {
    allowed = ['http'];
    const providerBefore = provider.requests.length;
    const outcome = await run();
    assert.ok(outcome.kind === 'delivered');
    const result = outcome.result as HandlerResult;
    assert.deepEqual(
      result.actions.map((a) => a.status),
      ['refused', 'delivered'],
    );
    assert.match(
      result.actions[0]?.reason ?? '',
      /tenant ten_01 does not allow "connector:cn-shop.order.hold" actions/,
    );
    assert.equal(provider.requests.length, providerBefore);
  });

  it('the first action that does not succeed decides the outcome, naming the action', async () => {
    provider.handle(answer(503, { 'retry-after': '3' }));
    const outcome = await run();
    provider.handle(answer(200, { 'content-type': 'application/json' }, '{"held":true}'));
    assert.equal(outcome.kind, 'retry');
    assert.ok(outcome.kind === 'retry');
    assert.equal(outcome.retry_after_ms, 3000);
    assert.match(
      outcome.error,
      /operator order-risk plan action 0 \(connector:cn-shop.order.hold, order-risk:order:1001:hold\): HTTP 503/,
    );
    assert.equal(emitted.length, 0);
  });

  it('an unknown operator, a throw, an invalid plan or an unknown kind does not run', async () => {
    const unknown = await runner.run(actionContextFixture({ type: 'handler', name: 'nobody' }));
    assert.ok(unknown.kind === 'refused');
    assert.match(unknown.error, /No operator "nobody" is registered; this process runs order-risk, broken/);
    const threw = await runner.run(actionContextFixture({ type: 'handler', name: 'broken' }));
    assert.ok(threw.kind === 'failed');
    assert.match(threw.error, /operator broken threw: no plan today/);
    nextPlan = { actions: [{ kind: 'http', entity_key: '', input: [] }], extra: 1 };
    const invalid = await run();
    assert.ok(invalid.kind === 'failed');
    assert.match(
      invalid.error,
      /invalid plan: \/extra is not a plan field; \/actions\/0\/entity_key must be a non-empty string; \/actions\/0\/idempotency_key must be/,
    );
    allowed = ['*'];
    nextPlan = { actions: [{ kind: 'email', entity_key: 'order:1', idempotency_key: 'k', input: {} }] };
    const kind = await run();
    assert.ok(kind.kind === 'refused');
    assert.match(kind.error, /kind "email" is neither/);
  });

  it('a plan action on a connection of another connector is refused', async () => {
    allowed = ['*'];
    nextPlan = {
      actions: [
        {
          kind: 'connector:cn.shop.order.hold',
          entity_key: 'order:1',
          idempotency_key: 'k',
          input: { connection_id: 'con_api', input: { order_id: '1' } },
        },
      ],
    };
    const outcome = await run();
    assert.ok(outcome.kind === 'refused');
    assert.match(outcome.error, /is a "cn-shop" connection, not "cn"/);
  });
});
