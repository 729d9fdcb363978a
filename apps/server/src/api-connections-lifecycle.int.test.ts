import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { useConnectionsApi } from './testing/connections-api.ts';

describe('connections API', () => {
  const api = useConnectionsApi();
  const { act, create, platformEvents, secretRows, deliver } = api;

  describe('retire', () => {
    it('retires once: a second retire is answered but publishes nothing more', async () => {
      const { connection, secret } = (await create({ connector_id: 'commerce-orders' })).json();
      api.clock += 5000;
      const first = await act(connection.id, 'retire');
      assert.equal(first.statusCode, 200, first.body);
      assert.equal(first.json().connection.status, 'retired');
      assert.equal(new Date(first.json().connection.retired_at).getTime() > 0, true);
      const second = await act(connection.id, 'retire');
      assert.equal(second.statusCode, 200);
      assert.equal(second.json().connection.retired_at, first.json().connection.retired_at);
      const retired = await platformEvents('connection.retired', connection.id);
      assert.equal(retired.length, 1);
      assert.deepEqual(retired[0]?.payload, {
        entity: { kind: 'connection', id: connection.id },
        connector_id: 'commerce-orders',
      });
      assert.deepEqual(
        (await platformEvents('connection.*', connection.id)).map((e) => e.event_type),
        ['connection.established', 'connection.retired'],
      );

      const got = await api.t.app.inject({ url: `/api/v1/connections/${connection.id}`, headers: api.auth });
      assert.equal(got.json().connection.status, 'retired');
      const delivery = await deliver(connection.id, secret, 3);
      assert.equal(delivery.statusCode, 409, 'a retired connection accepts nothing');
      const rotate = await act(connection.id, 'rotate-secret', {});
      assert.equal(rotate.statusCode, 409);
      assert.equal(rotate.json().error.code, 'connection_retired');
      assert.equal((await secretRows(connection.id)).length, 1, 'a refused rotation stores no secret');
    });
  });

  describe('rotate-secret', () => {
    it('returns a generated secret once, keeps the old one verifying through the overlap, and publishes credential.rotated', async () => {
      const { connection, secret: oldSecret } = (await create({ connector_id: 'commerce-orders' })).json();
      const rotated = await act(connection.id, 'rotate-secret', { overlap_seconds: 3600 });
      assert.equal(rotated.statusCode, 200, rotated.body);
      const expiresAt = new Date(api.clock + 3600 * 1000).toISOString();
      const { secret: newSecret } = rotated.json();
      assert.deepEqual(rotated.json(), {
        connection_id: connection.id,
        previous_secret_expires_at: expiresAt,
        secret: newSecret,
      });
      assert.equal(typeof newSecret, 'string');
      assert.notEqual(newSecret, oldSecret);
      const got = await api.t.app.inject({ url: `/api/v1/connections/${connection.id}`, headers: api.auth });
      assert.ok(!got.body.includes(newSecret));

      const rows = await secretRows(connection.id);
      assert.equal(rows.length, 2);
      assert.deepEqual(
        rows.map((r) => api.t.ctx.secretBox.open(r.ciphertext, connection.id)),
        [oldSecret, newSecret],
      );
      assert.ok(rows.every((r) => !r.ciphertext.includes(oldSecret) && !r.ciphertext.includes(newSecret)));

      const events = await platformEvents('credential.rotated', connection.id);
      assert.equal(events.length, 1);
      assert.deepEqual(events[0]?.payload, {
        entity: { kind: 'connection', id: connection.id },
        previous_expires_at: expiresAt,
      });
      assert.ok(!JSON.stringify(events).includes(newSecret), 'the secret is never published');

      assert.equal((await deliver(connection.id, newSecret, 10)).statusCode, 200);
      assert.equal((await deliver(connection.id, oldSecret, 11)).statusCode, 200, 'inside the overlap');
      api.clock += 3600 * 1000 + 1;
      assert.equal((await deliver(connection.id, newSecret, 12)).statusCode, 200);
      const late = await deliver(connection.id, oldSecret, 13);
      assert.equal(late.statusCode, 401, 'after the overlap the old secret no longer verifies');
    });

    it('keeps a supplied secret without echoing it, defaulting the overlap to 24 hours', async () => {
      const { connection } = (await create({ connector_id: 'commerce-orders' })).json();
      const supplied = 'shpss_rotated_by_hand_1';
      const rotated = await act(connection.id, 'rotate-secret', { secret: supplied });
      assert.equal(rotated.statusCode, 200, rotated.body);
      assert.equal(rotated.json().secret, undefined);
      assert.ok(!rotated.body.includes(supplied));
      assert.equal(
        rotated.json().previous_secret_expires_at,
        new Date(api.clock + 24 * 3600 * 1000).toISOString(),
      );
      assert.equal((await deliver(connection.id, supplied, 20)).statusCode, 200);
      const bad = await act(connection.id, 'rotate-secret', { overlap_seconds: -1 });
      assert.equal(bad.statusCode, 400);
      const extra = await act(connection.id, 'rotate-secret', {
        secret: 'shpss_x_12345678',
        plaintext: true,
      });
      assert.equal(extra.statusCode, 400);
      assert.equal((await secretRows(connection.id)).length, 2);
    });
  });
});
