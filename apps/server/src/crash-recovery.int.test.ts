import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { createPostgresClient } from '@sluice/store';
import { TEST_DATABASE_URL } from '@sluice/store/testing';
import { killHard, startServerProcess } from './testing/server-process.ts';

const BATCH = 20;

/** The acknowledged-means-committed and atomic-batch guarantees, under SIGKILL in the middle of the load. */
async function crashScenario(env: Record<string, string>): Promise<void> {
  const first = await startServerProcess(env);
  const key = /(slk_[A-Za-z0-9_-]+)/.exec(first.output)?.[1];
  assert.ok(key !== undefined, `no dev key printed:\n${first.output}`);
  const auth = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
  const created = await fetch(`${first.url}/api/v1/connections`, {
    method: 'POST',
    headers: auth,
    body: JSON.stringify({ connector_id: 'commerce-orders', secret: 'crash-test-secret' }),
  });
  assert.equal(created.status, 201);
  const connectionId = ((await created.json()) as { connection: { id: string } }).connection.id;

  const batchOf = (b: number) =>
    Array.from({ length: BATCH }, (_, i) => ({
      source: 'shopify',
      event_type: 'order.created',
      dedupe_key: `shopify:order:${b}-${i}:created`,
      payload: { entity: { kind: 'order', id: `${b}-${i}` }, batch: b, position: i },
    }));
  const acked = new Map<number, string[]>();
  let sent = 0;
  let killed = false;
  const send = async (url: string, b: number) => {
    const response = await fetch(`${url}/api/v1/events`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ connection_id: connectionId, emissions: batchOf(b) }),
    });
    const body = (await response.json()) as { results: Array<{ event_id: string; status: string }> };
    return { status: response.status, body };
  };
  const worker = async () => {
    while (!killed) {
      const b = sent++;
      try {
        const { status, body } = await send(first.url, b);
        if (status === 200)
          acked.set(
            b,
            body.results.map((r) => r.event_id),
          );
      } catch {
        // The connection died with the process: this batch was never acknowledged.
      }
    }
  };
  const workers = Array.from({ length: 6 }, worker);
  while (acked.size < 25) await new Promise((resolve) => setTimeout(resolve, 5));
  await killHard(first.child);
  killed = true;
  await Promise.all(workers);
  assert.ok(sent > acked.size, 'some batches were in flight when the process died');

  const second = await startServerProcess(env);
  try {
    const stored = new Map<string, number>();
    let cursor: string | null = null;
    do {
      const query: string = cursor === null ? '' : `&cursor=${cursor}`;
      const page = (await (
        await fetch(`${second.url}/api/v1/events?connection_id=${connectionId}&limit=500${query}`, {
          headers: auth,
        })
      ).json()) as {
        items: Array<{ event_id: string; payload: { batch: number } }>;
        next_cursor: string | null;
      };
      for (const envelope of page.items) stored.set(envelope.event_id, envelope.payload.batch);
      cursor = page.next_cursor;
    } while (cursor !== null);

    for (const [b, ids] of acked) {
      for (const id of ids)
        assert.equal(stored.get(id), b, `acknowledged event ${id} of batch ${b} was lost`);
    }
    const perBatch = new Map<number, number>();
    for (const b of stored.values()) perBatch.set(b, (perBatch.get(b) ?? 0) + 1);
    for (const [b, count] of perBatch)
      assert.equal(count, BATCH, `batch ${b} was stored partially (${count}/${BATCH})`);

    // The senders retry everything; what was stored is recognised, what was lost in flight is stored now.
    for (let b = 0; b < sent; b++) {
      const { status, body } = await send(second.url, b);
      assert.equal(status, 200);
      const statuses = new Set(body.results.map((r) => r.status));
      assert.equal(statuses.size, 1, `batch ${b} retried as a mix of ${[...statuses].join(', ')}`);
      const expected = perBatch.has(b) ? 'duplicate' : 'accepted';
      assert.equal([...statuses][0], expected, `batch ${b}`);
      if (acked.has(b))
        assert.deepEqual(
          body.results.map((r) => r.event_id),
          acked.get(b),
        );
    }
  } finally {
    await killHard(second.child);
  }
}

describe('kill -9 in the middle of a load', () => {
  const cleanups: Array<() => Promise<void>> = [];
  after(async () => {
    for (const cleanup of cleanups) await cleanup();
  });

  it('embedded PGlite: loses nothing acknowledged and never keeps part of a batch', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'sluice-crash-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    await crashScenario({ SLUICE_DATA_DIR: dataDir });
  });

  it('PostgreSQL: loses nothing acknowledged and never keeps part of a batch', async () => {
    const schema = `sluice_crash_${randomBytes(4).toString('hex')}`;
    const admin = createPostgresClient({ connectionString: TEST_DATABASE_URL, max: 1 });
    await admin.exec(`CREATE SCHEMA ${schema}`);
    cleanups.push(async () => {
      await admin.exec(`DROP SCHEMA ${schema} CASCADE`);
      await admin.close();
    });
    const dataDir = await mkdtemp(join(tmpdir(), 'sluice-crash-pg-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const url = new URL(TEST_DATABASE_URL);
    url.searchParams.set('options', `-c search_path=${schema}`);
    await crashScenario({
      SLUICE_DATABASE_URL: url.toString(),
      SLUICE_SECRET_KEY: randomBytes(32).toString('base64'),
      SLUICE_DEV: '1',
      SLUICE_DATA_DIR: dataDir,
    });
  });
});
