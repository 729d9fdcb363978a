import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { defineConnector } from '@sluice/map';
import { signWebhook } from '@sluice/signatures';
import { startTestApp, type TestApp } from './testing/index.ts';

let fixed = false;

const notes = defineConnector({
  id: 'notes',
  streams: [{ key: 'notes', mode: 'webhook', events: ['note.created'] }],
  webhook: { verify: { scheme: 'github' } },
  map: ({ body }) => {
    const note = body as { id: string; hopeless?: boolean };
    if (!fixed || note.hopeless === true) throw new Error(`notes: cannot read note ${note.id}`);
    return {
      source: 'notes',
      event_type: 'note.created',
      dedupe_key: `notes:${note.id}`,
      payload: { entity: { kind: 'note', id: note.id } },
    };
  },
});

describe('dead letters: bulk replay and purge', () => {
  let t: TestApp;
  let auth: { authorization: string };
  let other: { authorization: string };
  let ingestUrl: string;
  const secret = 'notes-signing-secret';

  before(async () => {
    t = await startTestApp({ connectors: [notes] });
    ({ auth } = await t.tenant('Notes'));
    ({ auth: other } = await t.tenant('Other'));
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/v1/connections',
      headers: auth,
      payload: { connector_id: 'notes', secret },
    });
    ingestUrl = `/api/v1/ingest/${created.json().connection.id}`;
  });
  after(() => t.close());

  const deliver = async (note: Record<string, unknown>): Promise<string> => {
    const body = JSON.stringify(note);
    const response = await t.app.inject({
      method: 'POST',
      url: ingestUrl,
      headers: {
        ...signWebhook({ scheme: 'github' }, { secret, rawBody: body, nowMs: Date.now() }),
        'content-type': 'application/json',
      },
      payload: body,
    });
    assert.equal(response.statusCode, 202, response.body);
    return response.json().dead_letter_id;
  };
  const bulk = (payload?: Record<string, unknown>, headers = auth) =>
    t.app.inject({
      method: 'POST',
      url: '/api/v1/dead-letters/replay',
      headers,
      ...(payload === undefined ? {} : { payload }),
    });
  const status = async (id: string) =>
    (await t.app.inject({ method: 'GET', url: `/api/v1/dead-letters/${id}`, headers: auth })).json()
      .dead_letter;

  it('replays every pending dead letter through the fixed mapping, reporting each that fails again', async () => {
    const a = await deliver({ id: 'a' });
    const b = await deliver({ id: 'b' });
    const hopeless = await deliver({ id: 'c', hopeless: true });
    const notesOnly = { filter: { connector: 'notes' } };
    assert.deepEqual((await bulk(notesOnly, other)).json(), { replayed: [], failed: [] });
    for (const empty of [undefined, {}, { filter: {} }]) {
      const refused = await bulk(empty);
      assert.equal(refused.statusCode, 422, refused.body);
      assert.equal(refused.json().error.code, 'replay_filter_empty');
    }
    const dry = await bulk({ ...notesOnly, dry_run: true });
    assert.deepEqual(dry.json(), { dry_run: true, count: 3 });
    assert.equal((await status(a)).status, 'pending', 'a dry run changes nothing');
    assert.deepEqual((await bulk({ ...notesOnly, dry_run: true, limit: 2 })).json(), {
      dry_run: true,
      count: 2,
    });

    fixed = true;
    const response = await bulk({ ...notesOnly, rate_per_second: 1000 });
    assert.equal(response.statusCode, 200, response.body);
    const result = response.json();
    assert.deepEqual(
      result.replayed.map((r: { id: string }) => r.id),
      [a, b],
    );
    assert.deepEqual(result.failed, [
      {
        id: hopeless,
        error: { code: 'mapping_failed', message: 'Replay failed again: notes: cannot read note c' },
      },
    ]);
    assert.equal((await status(a)).status, 'replayed');
    assert.equal((await status(hopeless)).status, 'pending');
    assert.equal((await status(hopeless)).retry_count, 1);
    const events = await t.app.inject({
      method: 'GET',
      url: '/api/v1/events?event_type=note.created',
      headers: auth,
    });
    assert.deepEqual(
      events.json().items.map((e: { dedupe_key: string }) => e.dedupe_key),
      ['notes:a', 'notes:b'],
    );
  });

  it('replays at most `limit`, oldest first', async () => {
    fixed = false;
    const d = await deliver({ id: 'd' });
    const e = await deliver({ id: 'e' });
    fixed = true;
    const first = (await bulk({ filter: { connector: 'notes' }, limit: 2 })).json();
    // The hopeless one is the oldest pending: it takes one of the two slots.
    assert.equal(first.failed.length, 1);
    assert.deepEqual(
      first.replayed.map((r: { id: string }) => r.id),
      [d],
    );
    assert.equal((await status(e)).status, 'pending');
    assert.deepEqual((await bulk({ filter: { connector: 'elsewhere' } })).json(), {
      replayed: [],
      failed: [],
    });
  });

  it('purges a dead letter for good, for its own tenant only', async () => {
    const list = await t.app.inject({
      method: 'GET',
      url: '/api/v1/dead-letters?status=pending',
      headers: auth,
    });
    const target = list.json().items[0].id as string;
    const foreign = await t.app.inject({
      method: 'DELETE',
      url: `/api/v1/dead-letters/${target}`,
      headers: other,
    });
    assert.equal(foreign.statusCode, 404);
    const purged = await t.app.inject({
      method: 'DELETE',
      url: `/api/v1/dead-letters/${target}`,
      headers: auth,
    });
    assert.equal(purged.statusCode, 204);
    const gone = await t.app.inject({ method: 'GET', url: `/api/v1/dead-letters/${target}`, headers: auth });
    assert.equal(gone.json().error.code, 'dead_letter_not_found');
    const again = await t.app.inject({
      method: 'DELETE',
      url: `/api/v1/dead-letters/${target}`,
      headers: auth,
    });
    assert.equal(again.statusCode, 404);
  });
});
