import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { DASHBOARD_DIST_DIR, dashboardBuilt } from '@sluice/dashboard';
import {
  attemptAt,
  claimOf,
  preparedEnvelope,
  queueJob,
  queueWorld,
  STORE_ADAPTERS,
} from '@sluice/store/testing';
import { type Browser, chromium, type Page } from 'playwright-core';
import { startTestApp, type TestApp } from './testing/index.ts';
import { createConnection, orderBody, SHOPIFY_SECRET, shopifyHeaders } from './testing/shopify-deliveries.ts';

/**
 * The dashboard in a real browser: Debian's chromium driven by playwright-core (never a browser a test
 * tool downloads). An operator signs in with a tenant key, sees a just-sent signed webhook arrive in the
 * live tail, inspects and replays a dead letter and sees it leave the list. Every wait is on a condition,
 * with a bound.
 */

const CHROMIUM = '/usr/bin/chromium';
const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const WAIT_MS = 15_000;

/** Installs chromium (apt-get) when it is missing, and builds the dashboard when its build is. */
function prerequisites(): void {
  if (!existsSync(CHROMIUM)) {
    const installed = spawnSync('bash', [join(REPO, 'scripts/ensure-chromium.sh')], {
      stdio: 'inherit',
      timeout: 600_000,
    });
    assert.equal(installed.status, 0, 'scripts/ensure-chromium.sh could not install chromium');
  }
  if (!dashboardBuilt()) {
    const built = spawnSync('npm', ['run', 'build', '-w', '@sluice/dashboard'], {
      cwd: REPO,
      stdio: 'inherit',
      timeout: 300_000,
    });
    assert.equal(built.status, 0, 'the dashboard did not build');
  }
}

describe('the dashboard in headless chromium', () => {
  let t: TestApp;
  let browser: Browser;
  let page: Page;
  let base: string;
  let key: string;
  let connectionId: string;
  let deadLetterId: string;
  let triggerName: string;
  let tenantId: string;

  before(async () => {
    prerequisites();
    // PostgreSQL when this run has it: an embedded store takes three times as long to start on a busy machine.
    t = await startTestApp({
      adapter: STORE_ADAPTERS.some((adapter) => adapter.name === 'postgres') ? 'postgres' : 'pglite',
    });
    // A tenant whose trigger's job failed for good: its dead letter is what the operator replays.
    const world = await queueWorld(t.store, 'Dashboard shop', 1);
    tenantId = world.tenant_id;
    key = (await t.ctx.control.tenants.issueKey(tenantId, 'dashboard')).key;
    const auth = { authorization: `Bearer ${key}` };
    triggerName = 'Orders to fulfilment';
    const trigger = await t.app.inject({
      method: 'POST',
      url: '/api/v1/triggers',
      headers: auth,
      payload: {
        name: triggerName,
        event_types: ['order.*'],
        action: { type: 'http', url: 'https://fulfilment.example.test/hook' },
      },
    });
    assert.equal(trigger.statusCode, 201, trigger.body);
    const triggerId = trigger.json().trigger.id as string;
    await t.store.jobs.createMany([queueJob(world, 0, { trigger_id: triggerId, entity_key: 'order:7' })]);
    const [claimed] = await t.store.queue.claim(claimOf('exec-dashboard', 1));
    assert.ok(claimed !== undefined);
    await t.store.queue.finish('exec-dashboard', claimed.job.id, {
      kind: 'dead_lettered',
      attempt: attemptAt(new Date(), 500),
      dead_letter: {
        tenant_id: world.tenant_id,
        connector: 'test-orders',
        connection_id: world.connection.id,
        event_payload: { body_base64: '', headers: {}, content_type: 'application/json' },
        error_message: 'HTTP 500 from https://fulfilment.example.test/hook after 1 attempt',
        error_context: { step: 'action', failure: 'attempts_exhausted' },
      },
    });
    // An hour of earlier traffic for the chart: a few envelopes in each of the last 45 minutes.
    const history = Array.from({ length: 45 }, (_, m) => m + 1).flatMap((ago) =>
      Array.from({ length: 2 + ((ago * 7) % 9) }, (_, i) =>
        preparedEnvelope(world.connection, `history-${ago}-${i}`, {
          received_at: new Date(Date.now() - ago * 60_000).toISOString(),
        }),
      ),
    );
    const appended = await t.store.events.append({
      connection: world.connection,
      envelopes: history,
      dedupeWindowMs: 60_000,
    });
    assert.equal(appended.status, 'committed');
    const letters = await t.app.inject({ url: '/api/v1/dead-letters?status=pending', headers: auth });
    deadLetterId = letters.json().items[0].id;
    connectionId = await createConnection(t.app, auth, SHOPIFY_SECRET);
    // A poll stream for the catalog (the scheduler does not run here, so it stays as created).
    const stripe = await t.app.inject({
      method: 'POST',
      url: '/api/v1/connections',
      headers: auth,
      payload: {
        connector_id: 'stripe',
        secret: 'whsec_dashboard_signing_secret',
        config: { api_key: 'sk_test_dashboard' },
      },
    });
    assert.equal(stripe.statusCode, 201, stripe.body);

    base = await t.app.listen({ host: '127.0.0.1', port: 0 });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      // Root in a container has no user namespace for chromium's sandbox.
      args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'],
      timeout: 60_000,
    });
    page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    page.setDefaultTimeout(WAIT_MS);
  });

  after(async () => {
    await browser?.close();
    await t?.close();
  });

  it('serves a page that loads only its own assets', () => {
    const html = readFileSync(join(DASHBOARD_DIST_DIR, 'index.html'), 'utf8');
    const references = [...html.matchAll(/\b(?:src|href)="([^"]+)"/g)].map((match) => match[1] as string);
    assert.ok(
      references.some((ref) => ref.startsWith('/dashboard/assets/')),
      'the built page names its bundle',
    );
    for (const reference of references) {
      assert.match(reference, /^(\/dashboard\/|#|data:)/, `${reference} is not a local asset`);
    }
  });

  it('signs in with the key, tails a just-sent webhook, and replays a dead letter out of the list', async () => {
    const requested: string[] = [];
    page.on('request', (request) => requested.push(request.url()));
    await page.goto(`${base}/dashboard`);
    await page.getByLabel('API key').fill('slk_not-a-key-of-anyone');
    await page.getByRole('button', { name: 'Open dashboard' }).click();
    await page.getByRole('alert').getByText('That API key was refused.').waitFor();
    assert.equal(await page.evaluate(() => sessionStorage.length), 0, 'a refused key is not kept');
    await page.getByLabel('API key').fill(key);
    await page.getByRole('button', { name: 'Open dashboard' }).click();

    const tail = page.getByRole('region', { name: 'Live tail' });
    await tail.getByRole('status').getByText('Live').waitFor();
    // A filtered tail: the page opens a new stream and says "Connecting…" until it is answered.
    await tail.getByLabel('Event type').fill('order.*');
    await tail.getByRole('button', { name: 'Apply filters' }).click();
    await tail.getByRole('status').getByText('Live').waitFor();
    assert.ok(
      requested.some((url) => url.includes('/api/v1/events/stream?event_type=order.*')),
      'the filter is sent',
    );
    const body = orderBody();
    const sent = await fetch(`${base}/api/v1/ingest/${connectionId}`, {
      method: 'POST',
      headers: shopifyHeaders(body),
      body,
    });
    assert.equal(sent.status, 200, await sent.clone().text());
    const eventId = ((await sent.json()) as { results: Array<{ event_id: string }> }).results[0]?.event_id;
    await tail.getByRole('listitem', { name: `order.created ${eventId}` }).waitFor();

    const streams = page.getByRole('region', { name: 'Streams' });
    await streams.getByRole('cell', { name: 'stripe · customers' }).waitFor();
    await streams.getByRole('cell', { name: /Healthy/ }).waitFor();

    const triggers = page.getByRole('region', { name: 'Triggers' });
    await triggers.getByRole('button', { name: `Show jobs of ${triggerName}` }).click();
    const jobs = triggers.getByRole('table', { name: `Jobs of ${triggerName}, newest first` });
    await jobs.getByRole('cell', { name: 'dead_lettered' }).waitFor();
    await jobs.getByText(/HTTP 500/).waitFor();

    const letters = page.getByRole('region', { name: 'Dead letters' });
    await letters.getByRole('button', { name: `Inspect ${deadLetterId}` }).click();
    await letters.getByRole('heading', { name: `Dead letter ${deadLetterId}` }).waitFor();
    await page.getByRole('region', { name: 'Throughput' }).getByRole('img').waitFor();
    await screenshot(page);

    // The bulk form's dry run counts and changes nothing.
    await letters.getByLabel('Kind').selectOption('job');
    await letters.getByRole('button', { name: 'Dry run' }).click();
    await letters.getByRole('status').getByText('Dry run: 1 dead letter would be replayed.').waitFor();
    assert.equal((await t.store.deadLetters.get(tenantId, deadLetterId))?.status, 'pending');

    await letters.getByRole('button', { name: `Replay ${deadLetterId}` }).click();
    await letters.getByRole('status').getByText(`Replayed ${deadLetterId}.`).waitFor();
    await letters.getByRole('button', { name: `Replay ${deadLetterId}` }).waitFor({ state: 'detached' });
    await letters.getByText('No pending dead letters.').waitFor();
    const stored = await t.store.deadLetters.get(tenantId, deadLetterId);
    assert.equal(stored?.status, 'replayed', 'the replay is stored, not only shown');

    // The replay refreshes the chart; it counts what the stats route counts (the replay's own fact too).
    const stats = await t.app.inject({
      url: '/api/v1/stats/ingest',
      headers: { authorization: `Bearer ${key}` },
    });
    const total = (stats.json().items as Array<{ envelopes: number }>).reduce(
      (sum, m) => sum + m.envelopes,
      0,
    );
    assert.ok(total >= 2, 'the webhook and the fixture envelope at least');
    await page
      .getByRole('region', { name: 'Throughput' })
      .getByRole('img', { name: new RegExp(`^${total} envelopes in the last 60 minutes`) })
      .waitFor();

    const origin = new URL(base).origin;
    const foreign = requested.filter((url) => !url.startsWith(origin) && !url.startsWith('data:'));
    assert.deepEqual(foreign, [], 'the page fetched nothing from elsewhere');
    assert.ok(
      requested.every((url) => !url.includes(key)),
      'the API key never appears in a URL',
    );
  });

  it('serves the page with its security headers, and 404 for a file it does not have', async () => {
    const redirect = await t.app.inject({ url: '/dashboard' });
    assert.equal(redirect.statusCode, 308);
    assert.equal(redirect.headers.location, '/dashboard/');
    const index = await t.app.inject({ url: '/dashboard/' });
    assert.equal(index.statusCode, 200);
    assert.match(String(index.headers['content-type']), /^text\/html/);
    assert.match(String(index.headers['content-security-policy']), /default-src 'self'/);
    assert.match(String(index.headers['content-security-policy']), /connect-src 'self'/);
    const missing = await t.app.inject({ url: '/dashboard/assets/nope.js' });
    assert.equal(missing.statusCode, 404, missing.body);
    assert.equal(missing.json().error.code, 'not_found');
    const posted = await t.app.inject({ method: 'POST', url: '/dashboard/' });
    assert.equal(posted.statusCode, 405, 'a wrong method is still a 405');
  });

  it('answers 503 dashboard_not_built, naming the build command, when the build is missing', async () => {
    const { dashboardRoutes } = await import('./routes/dashboard-routes.ts');
    const Fastify = (await import('fastify')).default;
    const { installErrorHandlers } = await import('./http/error-handler.ts');
    const app = Fastify();
    installErrorHandlers(app, t.ctx.metrics);
    await app.register(dashboardRoutes({ dir: mkdtempSync(join(tmpdir(), 'sluice-no-dashboard-')) }));
    for (const url of ['/dashboard', '/dashboard/']) {
      const answer = await app.inject({ url });
      assert.equal(answer.statusCode, 503, answer.body);
      assert.equal(answer.json().error.code, 'dashboard_not_built');
      assert.match(answer.json().error.message, /npm run build -w @sluice\/dashboard/);
    }
    await app.close();
  });
});

/** The README's screenshot with SLUICE_UPDATE_SCREENSHOT=1, else a throwaway one. */
async function screenshot(page: Page): Promise<void> {
  // biome-ignore lint/style/noProcessEnv: a test switch, not configuration of the server
  const update = process.env['SLUICE_UPDATE_SCREENSHOT'] === '1';
  const path = update
    ? join(REPO, 'docs/dashboard.png')
    : join(mkdtempSync(join(tmpdir(), 'sluice-dashboard-')), 'dashboard.png');
  await page.screenshot({ path, fullPage: true });
  assert.ok(existsSync(path));
}
