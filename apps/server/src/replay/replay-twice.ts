import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Connection, Connector, Stores } from '@sluice/core';
import { createIngestor } from '@sluice/ingest';
import { emissionsOf, PollPass } from '@sluice/receive';
import { createPgliteClient, SqlStores } from '@sluice/store';
import { payloadName, type RecordedPage, type ReplayFixture } from './replay-fixture.ts';

/** A payload the second pass still emitted from: its name and the new envelopes' types and dedupe keys. */
export interface ReplayOffender {
  readonly payload: string;
  readonly emitted: ReadonlyArray<{ readonly event_type: string; readonly dedupe_key: string }>;
}

export interface ReplayReport {
  readonly connector: string;
  /** Envelopes each pass stored anew. */
  readonly first: number;
  readonly second: number;
  /** Empty when the mapping is idempotent. */
  readonly offenders: ReadonlyArray<ReplayOffender>;
}

/**
 * Replays a fixture through a connector twice against a throwaway embedded store (PGlite in a temp
 * directory): a mapping whose dedupe keys come from the source's own identifiers emits nothing the second
 * time; one that stamps its own time (or anything else that changes per run) into them does, and the
 * report names the payloads.
 */
export async function replayTwice(
  fixture: ReplayFixture,
  connectors: ReadonlyArray<Connector>,
): Promise<ReplayReport> {
  const connector = connectors.find((c) => c.id === fixture.connector);
  if (connector === undefined) {
    throw new Error(`no connector "${fixture.connector}"; known: ${connectors.map((c) => c.id).join(', ')}`);
  }
  const dir = await mkdtemp(join(tmpdir(), 'sluice-replay-'));
  const client = await createPgliteClient(join(dir, 'pgdata'));
  const store = new SqlStores(client);
  try {
    await store.maintenance.migrate();
    const tenant = await store.tenancy.createTenant({ name: 'replay' });
    const registry = { get: (id: string) => (id === connector.id ? connector : null) };
    const ingestor = createIngestor({ events: store.events, connectors: registry });
    if (fixture.kind === 'deliveries') {
      const connection = await newConnection(store, tenant.id, connector, {});
      const pass = async (): Promise<Array<ReplayOffender & { count: number }>> => {
        const out: Array<ReplayOffender & { count: number }> = [];
        for (const [index, delivery] of fixture.deliveries.entries()) {
          const raw = typeof delivery.body === 'string' ? delivery.body : JSON.stringify(delivery.body);
          const headers = Object.fromEntries(
            Object.entries({ 'content-type': 'application/json', ...delivery.headers }).map(([k, v]) => [
              k.toLowerCase(),
              v,
            ]),
          );
          const mapped = emissionsOf(connector, connection, { rawBody: Buffer.from(raw), headers });
          if (!mapped.ok) {
            const why = 'refusal' in mapped ? mapped.refusal.message : mapped.failure.message;
            throw new Error(`${payloadName(delivery, index)}: ${why}`);
          }
          if (mapped.emissions.length === 0) continue;
          const result = await ingestor.ingest(connection, mapped.emissions, { mode: 'quiet' });
          if (result.status !== 'committed') {
            throw new Error(
              `${payloadName(delivery, index)}: ${result.status === 'rejected' ? result.rejection.message : result.status}`,
            );
          }
          const fresh = result.results
            .filter((r) => r.status === 'accepted')
            .map((r) => mapped.emissions[r.index]);
          out.push({
            payload: payloadName(delivery, index),
            count: fresh.length,
            emitted: fresh.flatMap((e) =>
              e === undefined ? [] : [{ event_type: e.event_type, dedupe_key: e.dedupe_key }],
            ),
          });
        }
        return out;
      };
      return report(connector.id, await pass(), await passLater(pass));
    }
    return await replayPages(fixture, connector, store, tenant.id, ingestor);
  } finally {
    await client.close();
    await rm(dir, { recursive: true, force: true });
  }
}

async function replayPages(
  fixture: Extract<ReplayFixture, { kind: 'pages' }>,
  connector: Connector,
  store: Stores,
  tenantId: string,
  ingestor: ReturnType<typeof createIngestor>,
): Promise<ReplayReport> {
  let next = 0;
  const source = createServer((_request, response) => {
    const served: RecordedPage | undefined = fixture.pages[Math.min(next, fixture.pages.length - 1)];
    next++;
    response.statusCode = served?.status ?? 200;
    response.setHeader('content-type', 'application/json');
    for (const [name, value] of Object.entries(served?.headers ?? {})) response.setHeader(name, value);
    response.end(JSON.stringify(served?.body ?? {}));
  });
  await new Promise<void>((resolve) => source.listen(0, '127.0.0.1', resolve));
  try {
    const url = `http://127.0.0.1:${(source.address() as AddressInfo).port}`;
    const connection = await newConnection(store, tenantId, connector, {
      ...fixture.config,
      [fixture.baseUrlConfig]: url,
    });
    const registry = { get: (id: string) => (id === connector.id ? connector : null) };
    const poll = new PollPass({
      connectors: registry,
      ingestor,
      events: store.events,
      now: () => new Date(),
    });
    let round = 0;
    const pass = async (): Promise<Array<ReplayOffender & { count: number }>> => {
      next = 0;
      round++;
      const out: Array<ReplayOffender & { count: number }> = [];
      const before = new Set(
        (await store.events.query(tenantId, {}, { limit: 1000 })).items.map((e) => e.event_id),
      );
      const byPage = new Map<number, number>();
      let seen = 0;
      const result = await poll.run({
        connection,
        stream: fixture.stream,
        window: { from: null, to: new Date().toISOString() },
        mode: 'quiet',
        signal: AbortSignal.timeout(60_000),
        cursorKey: `replay:${round}`,
        // Pages are served in order, one request each: the page just committed is the last one served.
        onPage: (progress) => {
          if (progress.emitted > seen) byPage.set(next - 1, progress.emitted - seen);
          seen = progress.emitted;
        },
      });
      if (result.status !== 'completed')
        throw new Error(`the poll pass ended ${result.status}: ${result.error ?? ''}`);
      const fresh = (await store.events.query(tenantId, {}, { limit: 1000 })).items.filter(
        (e) => !before.has(e.event_id),
      );
      let offset = 0;
      for (const [index, count] of byPage) {
        const page = fixture.pages[index];
        out.push({
          payload: page === undefined ? `#${index}` : payloadName(page, index),
          count,
          emitted: fresh
            .slice(offset, offset + count)
            .map((e) => ({ event_type: e.event_type, dedupe_key: e.dedupe_key })),
        });
        offset += count;
      }
      return out;
    };
    return report(connector.id, await pass(), await passLater(pass));
  } finally {
    source.closeAllConnections();
    await new Promise<void>((resolve) => source.close(() => resolve()));
  }
}

/** The second pass, run a few milliseconds on, so a key that holds the time of its run differs. */
async function passLater<T>(pass: () => Promise<T>): Promise<T> {
  await new Promise((resolve) => setTimeout(resolve, 5));
  return pass();
}

function report(
  connector: string,
  first: ReadonlyArray<{ count: number }>,
  second: ReadonlyArray<ReplayOffender & { count: number }>,
): ReplayReport {
  const sum = (items: ReadonlyArray<{ count: number }>) => items.reduce((n, item) => n + item.count, 0);
  return {
    connector,
    first: sum(first),
    second: sum(second),
    offenders: second.filter((item) => item.count > 0).map(({ payload, emitted }) => ({ payload, emitted })),
  };
}

async function newConnection(
  store: Stores,
  tenantId: string,
  connector: Connector,
  config: Readonly<Record<string, unknown>>,
): Promise<Connection> {
  return store.connections.create({
    tenant_id: tenantId,
    workspace_id: null,
    connector_id: connector.id,
    name: 'replay',
    config,
    secret_ciphertext: 'v1:replay',
  });
}
