import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { Emission, MapInput } from '@sluice/core';
import { defineConnector } from '@sluice/map';
import type { LightMyRequestResponse } from 'fastify';
import { startTestApp, type TestApp } from './testing/index.ts';

/**
 * Nothing is lost when a mapping fails: a correctly signed delivery the mapping cannot handle is
 * acknowledged 202 and kept whole as a dead letter; once the connector is fixed, replaying it ingests it.
 */

type Json = Record<string, unknown>;

const SECRET = 'tickets-signing-secret-0123456789';

/** Until the connector is "fixed", the mapping cannot read legacy tickets and maps escalations wrongly. */
let fixed = false;

function helpdeskMap({ body }: MapInput): Emission {
  const ticket = body as { id: string; format?: string; action: string; subject: string; at: string };
  if (ticket.format === 'legacy' && !fixed) {
    throw new Error(`helpdesk: ticket ${ticket.id} uses the legacy format, which this mapping cannot read`);
  }
  // The broken version names a type the connector never declared; the fixed one maps it to an update.
  const escalated = ticket.action === 'escalated';
  const eventType = escalated ? (fixed ? 'ticket.updated' : 'ticket.escalated') : `ticket.${ticket.action}`;
  return {
    source: 'helpdesk',
    event_type: eventType,
    dedupe_key: `helpdesk:ticket:${ticket.id}:${ticket.action}`,
    occurred_at: ticket.at,
    payload: { entity: { kind: 'ticket', id: ticket.id }, subject: ticket.subject, escalated },
  };
}

const helpdeskConnector = defineConnector({
  id: 'helpdesk',
  version: '1.0.0',
  streams: [{ key: 'tickets', mode: 'webhook', events: ['ticket.created', 'ticket.updated'] }],
  webhook: { verify: { scheme: 'hmac-sha256', header: 'X-Helpdesk-Signature', encoding: 'base64' } },
  map: helpdeskMap,
});

function signedHeaders(body: string): Record<string, string> {
  return {
    'content-type': 'application/json; charset=utf-8',
    'x-helpdesk-signature': createHmac('sha256', SECRET).update(body).digest('base64'),
    'x-helpdesk-delivery': 'dlv_4471',
    // A credential the sender adds: never kept with the dead letter.
    authorization: 'Basic aGVscGRlc2s6aHVudGVyMg==',
  };
}

function assertError(response: LightMyRequestResponse, status: number, code: string): void {
  assert.equal(response.statusCode, status, response.body);
  const body = response.json() as Json;
  assert.deepEqual(Object.keys(body), ['error']);
  assert.equal((body['error'] as Json)['code'], code);
  assert.equal(typeof (body['error'] as Json)['message'], 'string');
}

describe('webhook dead letters and replay', () => {
  let t: TestApp;
  let auth: { authorization: string };
  let tenantId: string;
  let connectionId: string;

  before(async () => {
    fixed = false;
    t = await startTestApp({ connectors: [helpdeskConnector] });
    const made = await t.tenant('Helpdesk');
    auth = made.auth;
    tenantId = made.tenant.id;
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/v1/connections',
      headers: auth,
      payload: { connector_id: 'helpdesk', secret: SECRET },
    });
    assert.equal(created.statusCode, 201, created.body);
    connectionId = created.json().connection.id;
  });
  after(() => t.close());

  const deliver = (body: string) =>
    t.app.inject({
      method: 'POST',
      url: `/api/v1/ingest/${connectionId}`,
      headers: signedHeaders(body),
      payload: body,
    });
  const ticketEvents = async (headers = auth) => {
    const page = await t.app.inject({ url: `/api/v1/events?connection_id=${connectionId}`, headers });
    assert.equal(page.statusCode, 200);
    return page.json().items as ReadonlyArray<Json>;
  };
  const replay = (id: string, headers = auth) =>
    t.app.inject({ method: 'POST', url: `/api/v1/dead-letters/${id}/replay`, headers });

  const legacyBody = JSON.stringify({
    id: 'T-1001',
    format: 'legacy',
    action: 'created',
    subject: 'Colis abîmé — commande #1042',
    at: '2026-06-11T09:00:00.000Z',
  });
  const escalationBody = JSON.stringify({
    id: 'T-1002',
    action: 'escalated',
    subject: 'Refund still pending',
    at: '2026-06-11T09:05:00.000Z',
  });
  let thrownId: string;
  let undeclaredId: string;

  it('acknowledges a delivery whose mapping throws with 202 and keeps it whole as a dead letter', async () => {
    const response = await deliver(legacyBody);
    assert.equal(response.statusCode, 202, response.body);
    const body = response.json();
    assert.equal(body.status, 'dead_lettered');
    assert.equal(body.connection_id, connectionId);
    assert.equal(body.error, undefined, 'a 202 carries no error code');
    assert.equal(body.failure.stage, 'map');
    assert.match(body.failure.message, /legacy format/);
    assert.match(body.dead_letter_id, /^dlq_/);
    thrownId = body.dead_letter_id;
    assert.equal((await ticketEvents()).length, 0);

    const got = await t.app.inject({ url: `/api/v1/dead-letters/${thrownId}`, headers: auth });
    assert.equal(got.statusCode, 200, got.body);
    const deadLetter = got.json().dead_letter;
    assert.equal(deadLetter.tenant_id, tenantId);
    assert.equal(deadLetter.connection_id, connectionId);
    assert.equal(deadLetter.connector, 'helpdesk');
    assert.equal(deadLetter.status, 'pending');
    assert.equal(deadLetter.retry_count, 0);
    assert.deepEqual(Buffer.from(deadLetter.event_payload.body_base64, 'base64'), Buffer.from(legacyBody));
    const headers = deadLetter.event_payload.headers;
    assert.equal(headers['x-helpdesk-signature'], signedHeaders(legacyBody)['x-helpdesk-signature']);
    assert.equal(headers['x-helpdesk-delivery'], 'dlv_4471');
    assert.equal(headers['authorization'], undefined, 'credentials are not kept');
    assert.equal(deadLetter.event_payload.content_type, 'application/json; charset=utf-8');
    assert.match(deadLetter.error_message, /ticket T-1001 uses the legacy format/);
    assert.equal(deadLetter.error_context.stage, 'map');
  });

  it('dead-letters a mapping that yields an event type the connector did not declare', async () => {
    const response = await deliver(escalationBody);
    assert.equal(response.statusCode, 202, response.body);
    undeclaredId = response.json().dead_letter_id;
    const got = await t.app.inject({ url: `/api/v1/dead-letters/${undeclaredId}`, headers: auth });
    const deadLetter = got.json().dead_letter;
    assert.match(deadLetter.error_message, /ticket\.escalated/);
    assert.equal(deadLetter.error_context.stage, 'ingest');
    assert.equal(deadLetter.error_context.code, 'event_type_undeclared');
    assert.equal((await ticketEvents()).length, 0);
  });

  it('publishes webhook.dead_lettered for the tenant', async () => {
    const page = await t.app.inject({
      url: '/api/v1/events?event_type=webhook.dead_lettered',
      headers: auth,
    });
    const items = page.json().items as ReadonlyArray<{ tenant_id: string; payload: Json }>;
    assert.deepEqual(
      items.map((event) => (event.payload['entity'] as Json)['id']).sort(),
      [thrownId, undeclaredId].sort(),
    );
    for (const event of items) {
      assert.equal(event.tenant_id, tenantId);
      assert.equal(event.payload['connection_id'], connectionId);
      assert.equal(event.payload['connector'], 'helpdesk');
    }
  });

  it('hides a dead letter from every other tenant', async () => {
    const other = await t.tenant('Other');
    assertError(
      await t.app.inject({ url: `/api/v1/dead-letters/${thrownId}`, headers: other.auth }),
      404,
      'dead_letter_not_found',
    );
    assertError(await replay(thrownId, other.auth), 404, 'dead_letter_not_found');
    const list = await t.app.inject({ url: '/api/v1/dead-letters', headers: other.auth });
    assert.deepEqual(list.json().items, []);
    const mine = await t.app.inject({ url: `/api/v1/dead-letters/${thrownId}`, headers: auth });
    assert.equal(mine.json().dead_letter.retry_count, 0, 'the refused replay did not touch it');
  });

  it('keeps a dead letter pending when its replay fails again', async () => {
    const again = await replay(undeclaredId);
    assertError(again, 422, 'mapping_failed');
    const got = await t.app.inject({ url: `/api/v1/dead-letters/${undeclaredId}`, headers: auth });
    assert.equal(got.json().dead_letter.status, 'pending');
    assert.equal(got.json().dead_letter.retry_count, 1);
    assert.equal((await ticketEvents()).length, 0);
  });

  it('replays through the fixed mapping once, then refuses a second replay with 409', async () => {
    fixed = true;
    const replayed = await replay(thrownId);
    assert.equal(replayed.statusCode, 200, replayed.body);
    assert.equal(replayed.json().dead_letter.status, 'replayed');
    assert.equal(replayed.json().dead_letter.retry_count, 1);
    const [result, ...others] = replayed.json().results as ReadonlyArray<{
      status: string;
      event_id: string;
    }>;
    assert.equal(others.length, 0);
    assert.equal(result?.status, 'accepted');

    const events = await ticketEvents();
    assert.equal(events.length, 1);
    assert.equal(events[0]?.['event_id'], result.event_id);
    assert.equal(events[0]['event_type'], 'ticket.created');
    assert.equal(events[0]['tenant_id'], tenantId);
    assert.equal(events[0]['dedupe_key'], 'helpdesk:ticket:T-1001:created');
    assert.equal((events[0]['payload'] as Json)['subject'], 'Colis abîmé — commande #1042');

    assertError(await replay(thrownId), 409, 'conflict');
    const listed = await t.app.inject({ url: '/api/v1/dead-letters?status=replayed', headers: auth });
    assert.deepEqual(
      (listed.json().items as ReadonlyArray<{ id: string }>).map((d) => d.id),
      [thrownId],
    );

    const second = await replay(undeclaredId);
    assert.equal(second.statusCode, 200, second.body);
    assert.equal(second.json().dead_letter.status, 'replayed');
    assert.equal(second.json().dead_letter.retry_count, 2);
    assert.deepEqual((await ticketEvents()).map((event) => event['event_type']).sort(), [
      'ticket.created',
      'ticket.updated',
    ]);
  });
});
