import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from './config.ts';
import { type RunningServer, startServer } from './server.ts';
import { createLogger } from './services/logger.ts';
import { type DeliveredFlow, runDeliveredFlow } from './testing/delivered-flow.ts';
import { orderBody, shopifyHeaders } from './testing/shopify-deliveries.ts';

const ADMIN_KEY = 'admin-key-for-the-log-test-0123456789';

/**
 * A full run with every log line captured at the most verbose level: an admin creates a tenant and an API
 * key, the tenant makes a connection with a secret and a trigger with a signed http action, a signed
 * webhook is delivered, a forged one and a wrong key are refused. None of the secrets, keys or signature
 * values may appear in any line; the stages' lines carry the event, trace, tenant and job ids.
 */
describe('logs of a full run', () => {
  const lines: string[] = [];
  let dir: string;
  let server: RunningServer;
  let flow: DeliveredFlow;
  let apiKey: string;
  let tenantId: string;
  const forgedSignature = 'Zm9yZ2VkLXNpZ25hdHVyZS12YWx1ZS0wMTIzNDU2Nzg5';
  const wrongKey = 'slk_wrong_key_that_does_not_exist_0123456789';

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sluice-logs-'));
    const config = loadConfig({
      SLUICE_PORT: '0',
      SLUICE_DATA_DIR: dir,
      SLUICE_DEV: '0',
      SLUICE_ADMIN_KEY: ADMIN_KEY,
      SLUICE_SWEEP_INTERVAL_SECONDS: '0',
      SLUICE_ALLOW_PRIVATE_TARGETS: '1',
    });
    const log = createLogger({ logLevel: 'trace', logPretty: false }, { write: (line) => lines.push(line) });
    server = await startServer(config, {
      log,
      out: { write: () => true } as unknown as NodeJS.WritableStream,
    });
    const created = await fetch(`${server.url}/api/v1/tenants`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Logged tenant' }),
    });
    const body = (await created.json()) as { tenant: { id: string }; api_key: { key: string } };
    assert.equal(created.status, 201, JSON.stringify(body));
    tenantId = body.tenant.id;
    apiKey = body.api_key.key;
    flow = await runDeliveredFlow(server.url, apiKey);
    const forgedBody = orderBody();
    const forged = await fetch(`${server.url}/api/v1/ingest/${flow.connectionId}`, {
      method: 'POST',
      headers: { ...shopifyHeaders(forgedBody), 'x-shopify-hmac-sha256': forgedSignature },
      body: forgedBody,
    });
    assert.equal(forged.status, 401);
    const refused = await fetch(`${server.url}/api/v1/connections`, {
      headers: { authorization: `Bearer ${wrongKey}` },
    });
    assert.equal(refused.status, 401);
  });
  after(async () => {
    await server.close();
    await flow?.target.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('never shows a secret, a key or a signature', () => {
    assert.ok(lines.length > 20, `the run logged (${lines.length} lines)`);
    const all = lines.join('');
    const secrets = {
      'admin key': ADMIN_KEY,
      'API key': apiKey,
      'wrong API key': wrongKey,
      'connection secret': flow.connectionSecret,
      'trigger secret': flow.triggerSecret,
      "trigger secret's key": flow.triggerSecret.replace(/^whsec_/, ''),
      'forged signature': forgedSignature,
      ...Object.fromEntries(flow.signatures.map((value, i) => [`signature ${i}`, value])),
      // The delivery's signature without its `v1,` prefix.
      'delivery signature value': (flow.delivery.headers['webhook-signature'] ?? '').replace(/^v1,/, ''),
    };
    for (const [name, value] of Object.entries(secrets)) {
      assert.ok(value.length >= 16, `${name} is a real value`);
      assert.equal(all.includes(value), false, `${name} appears in the logs`);
    }
  });

  it('logs each stage as JSON with the event, trace, tenant and job ids', () => {
    const parsed = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    const ingested = parsed.find((line) => line['msg'] === 'webhook ingested');
    assert.equal(ingested?.['event_id'], flow.eventId);
    assert.equal(ingested?.['tenant_id'], tenantId);
    assert.equal(ingested?.['trace_id'], (flow.delivery.envelope as { trace_id?: string }).trace_id);
    const job = parsed.find((line) => line['job_id'] === flow.jobId);
    assert.equal(job?.['stage'], 'execute');
    assert.equal(job?.['event_id'], flow.eventId);
    assert.equal(job?.['tenant_id'], tenantId);
    assert.equal(job?.['trace_id'], ingested?.['trace_id']);
    assert.equal(job?.['outcome'], 'succeeded');
    const tenantRequest = parsed.find((line) => line['tenant_id'] === tenantId && 'request_id' in line);
    assert.ok(tenantRequest !== undefined, 'API requests carry their tenant');
  });
});
