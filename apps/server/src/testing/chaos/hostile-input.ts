import { readFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { TEST_DATABASE_URL } from '@sluice/store/testing';
import { slowestCondition } from './condition-timing.ts';
import {
  type HostileRequest,
  type HostileTenant,
  type HostileWorld,
  hostileRequest,
  type RouteEntry,
} from './hostile-requests.ts';
import { seeded } from './hostile-values.ts';
import { StageCluster } from './stage-cluster.ts';
import { seconds } from './summary.ts';

export interface HostileInputOptions {
  readonly requests: number;
  readonly seed?: number;
  /** Requests in flight at once. */
  readonly concurrency?: number;
  /** Every this many requests, one is sent alone with the store's row counts taken before and after. */
  readonly auditEvery?: number;
  /** The most the server's RSS may reach, in MB. */
  readonly rssBoundMb?: number;
  /** Told how far the run is, about every thousand requests. */
  readonly progress?: (line: string) => void;
}

/** The fuzz summary: answers by class, what broke a rule, and the bounds that held. */
export interface HostileSummary {
  readonly scenario: 'hostile-input';
  readonly requests: number;
  readonly seed: number;
  readonly statuses: Record<string, number>;
  readonly responses_5xx: number;
  readonly transport_errors: number;
  /** Requests the client could not even form (a header value fetch refuses); not sent. */
  readonly not_sent: number;
  readonly crashes: number;
  readonly audited: number;
  readonly rows_written_by_rejected: number;
  readonly rss_mb: { readonly start: number; readonly max: number; readonly end: number };
  readonly conditions_accepted: number;
  readonly slowest_condition_ms: number;
  readonly slowest_response_ms: number;
  readonly duration_s: number;
  readonly requests_per_s: number;
  readonly passed: boolean;
  readonly problems: ReadonlyArray<string>;
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];
const ADMIN_KEY = 'chaos-admin-key-0123456789abcdef0123';

async function rssMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return Math.round(kb / 1024);
}

/** Sends malformed HTTP over a raw socket; answers the status line's code, or null when none came. */
function sendRaw(port: number, raw: Buffer): Promise<{ status: number | null; error: string | null }> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const chunks: Buffer[] = [];
    let error: string | null = null;
    const timer = setTimeout(() => socket.destroy(), 10_000);
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      // The answer's head is all that is checked; a kept-alive connection is not waited on.
      if (Buffer.concat(chunks).includes('\r\n\r\n')) socket.destroy();
    });
    socket.on('error', (e: NodeJS.ErrnoException) => {
      error ??= e.code ?? String(e);
    });
    socket.on('close', () => {
      clearTimeout(timer);
      const head = /^HTTP\/1\.[01] (\d{3})/.exec(Buffer.concat(chunks).subarray(0, 64).toString('latin1'));
      resolve({ status: head?.[1] === undefined ? null : Number(head[1]), error });
    });
    socket.on('connect', () => {
      socket.end(raw);
    });
  });
}

interface Answer {
  readonly status: number | 'transport' | 'not_sent';
  readonly json: boolean;
  readonly ms: number;
  readonly detail: string;
}

async function send(base: string, port: number, request: HostileRequest): Promise<Answer> {
  const started = performance.now();
  if (request.raw !== undefined) {
    const { status, error } = await sendRaw(port, request.raw);
    // Node answers malformed HTTP with a bare 400/431 and closes; no answer at all is a transport error
    // only when the server, not the request's own size, cut it.
    return {
      status: status ?? 'transport',
      json: true,
      ms: performance.now() - started,
      detail: error ?? '',
    };
  }
  let response: Response;
  try {
    response = await fetch(`${base}${request.path}`, {
      method: request.method,
      headers: request.headers,
      ...(request.body === null ? {} : { body: request.body }),
      signal: AbortSignal.timeout(30_000),
    });
  } catch (error) {
    const e = error as Error & { cause?: { code?: string; message?: string } };
    if (e.message === 'fetch failed' || e.name === 'TimeoutError') {
      return {
        status: 'transport',
        json: false,
        ms: performance.now() - started,
        detail: `${e.name} ${e.cause?.code ?? e.cause?.message ?? ''}`,
      };
    }
    return { status: 'not_sent', json: false, ms: 0, detail: e.message };
  }
  const type = response.headers.get('content-type') ?? '';
  if (type.startsWith('text/event-stream')) {
    await response.body?.cancel();
    return { status: response.status, json: true, ms: performance.now() - started, detail: '' };
  }
  const text = await response.text().catch(() => '');
  let json = false;
  try {
    const parsed = JSON.parse(text) as { error?: { code?: unknown; message?: unknown } };
    json =
      response.status < 400 ||
      (typeof parsed.error?.code === 'string' && typeof parsed.error.message === 'string');
  } catch {
    json = request.method === 'HEAD' || response.status === 431;
  }
  return { status: response.status, json, ms: performance.now() - started, detail: text.slice(0, 200) };
}

/**
 * The bad-input run: `requests` hostile requests from a seeded generator across every route the OpenAPI
 * document lists (ingest, triggers and conditions among them), against one receiver process over
 * PostgreSQL. It fails on any 5xx, crash, transport error, rows written by a rejected request, error
 * without the JSON contract, RSS over the bound, or accepted condition slower than 10 ms to evaluate.
 */
export async function hostileInput(options: HostileInputOptions): Promise<HostileSummary> {
  const startedAt = Date.now();
  const seed = options.seed ?? 20261202;
  const random = seeded(seed);
  const concurrency = options.concurrency ?? 16;
  const auditEvery = options.auditEvery ?? 50;
  const cluster = await StageCluster.start({
    databaseUrl: TEST_DATABASE_URL,
    counts: { receiver: 1, relay: 0, router: 0, executor: 0 },
    env: {
      SLUICE_ADMIN_KEY: ADMIN_KEY,
      SLUICE_CONNECTION_RATE: '1000000',
      SLUICE_CONNECTION_BURST: '1000000',
      SLUICE_LOG_LEVEL: 'error',
    },
  });
  try {
    const [slot] = cluster.slots;
    if (slot === undefined) throw new Error('no receiver');
    const base = slot.current.url;
    const port = Number(new URL(base).port);
    const pid = slot.current.child.pid ?? 0;
    // The server's own account of an internal error: what a 5xx below names as its cause.
    const serverErrors: string[] = [];
    slot.current.child.stdout?.on('data', (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n')) {
        if (serverErrors.length >= 5 || !line.includes('"level":50')) continue;
        // A line split across chunks is shown as it came.
        const logged = (() => {
          try {
            return JSON.parse(line) as { err?: { code?: string; message?: string } };
          } catch {
            return {};
          }
        })();
        serverErrors.push(`${logged.err?.code ?? ''} ${logged.err?.message ?? line.slice(0, 200)}`);
      }
    });
    const tenant = async (name: string): Promise<HostileTenant> => {
      const made = await cluster.tenant(name);
      const connections: Array<{ id: string; connector: string; secret: string }> = [];
      for (const connector of ['commerce-orders', 'github', 'standard-webhooks', 'cloudevents']) {
        const given = connector === 'standard-webhooks' ? undefined : `${name}-${connector}-secret-123`;
        const response = await fetch(`${base}/api/v1/connections`, {
          method: 'POST',
          headers: made.auth,
          body: JSON.stringify({
            connector_id: connector,
            ...(given === undefined ? {} : { secret: given }),
          }),
        });
        const body = (await response.json()) as { connection: { id: string }; secret?: string };
        if (response.status !== 201) throw new Error(`connection ${connector}: ${JSON.stringify(body)}`);
        connections.push({ id: body.connection.id, connector, secret: body.secret ?? given ?? '' });
      }
      const trigger = await fetch(`${base}/api/v1/triggers`, {
        method: 'POST',
        headers: made.auth,
        body: JSON.stringify({
          name: 'fuzz',
          event_types: ['order.*'],
          condition: null,
          action: { type: 'handler', name: 'noop' },
        }),
      });
      const triggerBody = (await trigger.json()) as { trigger: { id: string } };
      if (trigger.status !== 201) throw new Error(`trigger: ${JSON.stringify(triggerBody)}`);
      return {
        id: made.id,
        key: made.auth.authorization.slice('Bearer '.length),
        connections,
        triggerIds: [triggerBody.trigger.id],
      };
    };
    const own = await tenant('Attacker');
    const other = await tenant('Victim');
    const openapi = (await (await fetch(`${base}/openapi.json`)).json()) as {
      paths: Record<string, Record<string, unknown>>;
    };
    const routes: RouteEntry[] = Object.entries(openapi.paths).map(([path, item]) => ({
      path,
      methods: Object.keys(item)
        .filter((m) => METHODS.includes(m))
        .map((m) => m.toUpperCase()),
    }));
    const world: HostileWorld = { routes, own, other, adminKey: ADMIN_KEY };
    const tables = (
      await cluster.sql.query<{ table_name: string }>(
        `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`,
      )
    ).map((row) => row.table_name);
    const counts = async (): Promise<Map<string, number>> => {
      const rows = await cluster.sql.query<{ t: string; n: string }>(
        tables.map((t) => `SELECT '${t}' AS t, count(*)::text AS n FROM "${t}"`).join(' UNION ALL '),
      );
      return new Map(rows.map((row) => [row.t, Number(row.n)]));
    };

    const statuses: Record<string, number> = {};
    const problems = new Map<string, string[]>();
    const problem = (kind: string, example: string) => {
      const list = problems.get(kind) ?? [];
      if (list.length < 5) list.push(example);
      problems.set(kind, list);
      counters[kind] = (counters[kind] ?? 0) + 1;
    };
    const counters: Record<string, number> = {};
    let notSent = 0;
    let audited = 0;
    let rowsWritten = 0;
    let slowestResponse = 0;
    const accepted: unknown[] = [];
    const rss = { start: await rssMb(pid), max: 0, end: 0 };
    const rssTimer = setInterval(() => {
      void rssMb(pid).then((mb) => {
        rss.max = Math.max(rss.max, mb);
      });
    }, 500);
    const check = (request: HostileRequest, answer: Answer) => {
      const label = `${request.method} ${request.route}`;
      if (answer.status === 'not_sent') {
        notSent++;
        return;
      }
      statuses[String(answer.status)] = (statuses[String(answer.status)] ?? 0) + 1;
      slowestResponse = Math.max(slowestResponse, answer.ms);
      if (answer.status === 'transport')
        problem('transport error', `${label} ${request.path.slice(0, 80)}: ${answer.detail}`);
      else if (answer.status >= 500)
        problem('5xx', `${answer.status} ${label} ${request.path.slice(0, 80)}: ${answer.detail}`);
      else if (answer.status >= 400 && !answer.json)
        problem(
          'error without the JSON contract',
          `${answer.status} ${label}: ${answer.detail.slice(0, 80)}`,
        );
      if (
        request.condition !== undefined &&
        typeof answer.status === 'number' &&
        answer.status < 300 &&
        accepted.length < 5_000
      )
        accepted.push(request.condition);
    };
    let sent = 0;
    while (sent < options.requests) {
      const batch = Array.from({ length: Math.min(concurrency, options.requests - sent) }, () =>
        hostileRequest(world, random),
      );
      sent += batch.length;
      const pending = new Set(batch);
      const watchdog = setTimeout(() => {
        for (const request of pending)
          options.progress?.(
            `slow: ${request.method} ${request.path.slice(0, 120)} ${JSON.stringify(request.headers).slice(0, 300)} body ${request.body?.length ?? 0}`,
          );
      }, 5_000);
      await Promise.all(
        batch.map(async (request) => {
          check(request, await send(base, port, request));
          pending.delete(request);
        }),
      );
      clearTimeout(watchdog);
      if (sent % auditEvery < concurrency && sent < options.requests) {
        const request = hostileRequest(world, random);
        sent++;
        const before = await counts();
        const answer = await send(base, port, request);
        check(request, answer);
        if (typeof answer.status === 'number' && answer.status >= 400) {
          audited++;
          const after = await counts();
          const grew = tables.filter((t) => (after.get(t) ?? 0) > (before.get(t) ?? 0));
          if (grew.length > 0) {
            rowsWritten++;
            problem(
              'rows written for a rejected request',
              `${answer.status} ${request.method} ${request.route}: ${grew.join(', ')}`,
            );
          }
        }
      }
      if (options.progress !== undefined && sent % 1_000 < concurrency + 1)
        options.progress(`${sent} requests, ${JSON.stringify(statuses)}`);
      if (slot.current.child.exitCode !== null || slot.current.child.signalCode !== null) {
        problem(
          'crash',
          `the server exited (${slot.current.child.exitCode ?? slot.current.child.signalCode}) after ${sent} requests`,
        );
        break;
      }
    }
    clearInterval(rssTimer);
    rss.end = await rssMb(pid);
    const crashes = slot.current.child.exitCode !== null || slot.current.child.signalCode !== null ? 1 : 0;
    const ready = await fetch(`${base}/readyz`)
      .then((r) => r.status)
      .catch(() => 0);
    if (ready !== 200) problem('not ready after the run', String(ready));
    if (serverErrors.length > 0) problem('internal errors logged', serverErrors.join(' | '));
    const rssBound = options.rssBoundMb ?? 600;
    if (rss.max > rssBound) problem('RSS over its bound', `${rss.max} MB > ${rssBound} MB`);
    const slowest = slowestCondition(accepted);
    if (slowest.ms > 10)
      problem('condition over 10 ms to evaluate', `${slowest.ms.toFixed(1)} ms: ${slowest.condition}`);
    const durationMs = Date.now() - startedAt;
    const list = [...problems].map(
      ([kind, examples]) => `${kind}: ${counters[kind]} (${examples.join(' | ')})`,
    );
    return {
      scenario: 'hostile-input',
      requests: sent,
      seed,
      statuses,
      responses_5xx: Object.entries(statuses)
        .filter(([s]) => Number(s) >= 500)
        .reduce((n, [, c]) => n + c, 0),
      transport_errors: statuses['transport'] ?? 0,
      not_sent: notSent,
      crashes,
      audited,
      rows_written_by_rejected: rowsWritten,
      rss_mb: rss,
      conditions_accepted: slowest.compiled,
      slowest_condition_ms: Math.round(slowest.ms * 100) / 100,
      slowest_response_ms: Math.round(slowestResponse),
      duration_s: seconds(durationMs),
      requests_per_s: Math.round(sent / (durationMs / 1000)),
      passed: list.length === 0,
      problems: list,
    };
  } finally {
    await cluster.close();
  }
}
