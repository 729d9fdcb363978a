import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { type FakeStripe, fakeCustomers, startFakeStripe } from './testing/fake-stripe.ts';
import { killHard, type ServerProcess, startServerProcess } from './testing/server-process.ts';

const CUSTOMERS = 23;
const PAGE = 2;
const PAGES = Math.ceil(CUSTOMERS / PAGE);

interface BackfillView {
  id: string;
  status: string;
  counts: { pages: number; records: number; emitted: number; duplicates: number };
}

describe('kill -9 in the middle of a backfill', () => {
  const cleanups: Array<() => Promise<void>> = [];
  after(async () => {
    for (const cleanup of cleanups) await cleanup();
  });

  it('resumes from the last committed page after a restart: counts exact, nothing twice, nothing skipped', async () => {
    const stripe: FakeStripe = await startFakeStripe(fakeCustomers(CUSTOMERS));
    cleanups.push(() => stripe.close());
    stripe.delayMs = 150;
    const dataDir = await mkdtemp(join(tmpdir(), 'sluice-backfill-crash-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const env = { SLUICE_DATA_DIR: dataDir, SLUICE_DEV: '1', SLUICE_ALLOW_PRIVATE_TARGETS: '1' };

    const first: ServerProcess = await startServerProcess(env);
    const key = /(slk_[A-Za-z0-9_-]+)/.exec(first.output)?.[1];
    assert.ok(key !== undefined, `no dev key printed:\n${first.output}`);
    const auth = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
    const created = await fetch(`${first.url}/api/v1/connections`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({
        connector_id: 'stripe',
        secret: 'whsec_crash_test_secret',
        config: {
          api_key: 'sk_test_crash',
          api_base: stripe.url,
          page_size: PAGE,
          // The customers stream polls every quarter hour by default: a run that starts on one would store
          // the customers first and make the backfill's records duplicates. Only at Feb 29's midnight here.
          streams: { customers: { schedule: '0 0 29 2 *' } },
        },
      }),
    });
    assert.equal(created.status, 201, await created.clone().text());
    const connectionId = ((await created.json()) as { connection: { id: string } }).connection.id;
    const started = await fetch(`${first.url}/api/v1/connections/${connectionId}/backfills`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({
        stream: 'customers',
        since: '2025-12-31T00:00:00Z',
        until: '2026-02-01T00:00:00Z',
        mode: 'live',
      }),
    });
    assert.equal(started.status, 202);
    const { id } = ((await started.json()) as { backfill: BackfillView }).backfill;
    const progress = async (url: string): Promise<BackfillView> =>
      (
        (await (
          await fetch(`${url}/api/v1/connections/${connectionId}/backfills/${id}`, { headers: auth })
        ).json()) as { backfill: BackfillView }
      ).backfill;

    while ((await progress(first.url)).counts.pages < 3) await new Promise((r) => setTimeout(r, 20));
    await killHard(first.child);
    const atKill = stripe.requests.length;
    assert.ok(atKill < PAGES, `the backfill was still under way when killed (${atKill} pages asked)`);

    const second = await startServerProcess(env);
    try {
      let view = await progress(second.url);
      const deadline = Date.now() + 60_000;
      while (view.status === 'running' && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50));
        view = await progress(second.url);
      }
      assert.equal(view.status, 'completed');
      assert.deepEqual(view.counts, { pages: PAGES, records: CUSTOMERS, emitted: CUSTOMERS, duplicates: 0 });
      const page = (await (
        await fetch(`${second.url}/api/v1/events?connection_id=${connectionId}&limit=500`, { headers: auth })
      ).json()) as { items: Array<{ dedupe_key: string; payload: { customer_id: string } }> };
      const ids = page.items.map((e) => e.payload.customer_id).sort();
      assert.deepEqual(
        ids,
        fakeCustomers(CUSTOMERS).map((c) => c.id),
        'every customer exactly once',
      );
      // The resumed pass started after the last committed page: no page before it was asked again.
      const afters = stripe.requests.map((url) =>
        new URL(url, 'http://x').searchParams.get('starting_after'),
      );
      const repeated = afters.filter((value, index) => afters.indexOf(value) !== index);
      assert.ok(repeated.length <= 1, `pages asked twice: ${repeated.join(', ')}`);

      // A second backfill over the same window emits nothing.
      const rerun = await fetch(`${second.url}/api/v1/connections/${connectionId}/backfills`, {
        method: 'POST',
        headers: auth,
        body: JSON.stringify({
          stream: 'customers',
          since: '2025-12-31T00:00:00Z',
          until: '2026-02-01T00:00:00Z',
          mode: 'live',
        }),
      });
      const rerunId = ((await rerun.json()) as { backfill: BackfillView }).backfill.id;
      let again: BackfillView;
      do {
        await new Promise((r) => setTimeout(r, 50));
        again = (
          (await (
            await fetch(`${second.url}/api/v1/connections/${connectionId}/backfills/${rerunId}`, {
              headers: auth,
            })
          ).json()) as { backfill: BackfillView }
        ).backfill;
      } while (again.status === 'running');
      assert.deepEqual(again.counts, { pages: PAGES, records: CUSTOMERS, emitted: 0, duplicates: CUSTOMERS });
    } finally {
      await killHard(second.child);
    }
  });
});
