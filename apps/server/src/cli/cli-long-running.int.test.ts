import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { exampleConnectors } from '@sluice/connectors';
import { Webhook } from 'standardwebhooks';
import { closedPort, jsonLines, runCli } from '../testing/cli-runner.ts';
import { childEnv } from '../testing/config.ts';
import { appEvents, order } from '../testing/events-api.ts';
import { startTestApp, type TestApp } from '../testing/index.ts';
import { startRelay, type TcpRelay } from '../testing/tcp-relay.ts';

const BIN = new URL('../../bin/sluice.mjs', import.meta.url).pathname;

/** A long-running CLI command (tail, listen) with its output as it comes. */
interface Running {
  readonly child: ChildProcess;
  readonly stdout: () => string;
  readonly stderr: () => string;
  /** Waits up to 30 s for stderr (or stdout) to match. */
  waitFor(pattern: RegExp, stream?: 'stdout' | 'stderr'): Promise<RegExpExecArray>;
  /** Waits up to 30 s for the exit code. */
  exited(): Promise<number | null>;
}

function start(args: ReadonlyArray<string>, env: Record<string, string>): Running {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: childEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    err += chunk.toString();
  });
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    async waitFor(pattern, stream = 'stderr') {
      const deadline = Date.now() + 30_000;
      for (;;) {
        const match = pattern.exec(stream === 'stderr' ? err : out);
        if (match !== null) return match;
        if (Date.now() > deadline || child.exitCode !== null) {
          throw new Error(`no ${pattern} in ${stream}:\n${out}\n${err}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    exited: () =>
      Promise.race([
        exit,
        new Promise<number | null>((_, reject) =>
          setTimeout(() => reject(new Error(`did not exit:\n${out}\n${err}`)), 30_000).unref(),
        ),
      ]),
  };
}

describe('the long-running commands: tail, listen, a bulk replay', () => {
  let t: TestApp;
  let url: string;
  let auth: { authorization: string };
  let connectionId: string;
  let env: Record<string, string>;
  const running: Running[] = [];
  let serial = 0;

  const emit = async (id: number, type = 'order.created') => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/v1/events',
      headers: auth,
      payload: {
        connection_id: connectionId,
        emission: order(id, type, { dedupe_key: `cli:${id}:${type}:${serial++}` }),
      },
    });
    assert.equal(response.statusCode, 200, response.body);
    return (response.json() as { results: Array<{ event_id: string }> }).results[0]?.event_id as string;
  };

  before(async () => {
    t = await startTestApp({ connectors: [appEvents, ...exampleConnectors], replaySyncLimit: 1 });
    ({ auth } = await t.tenant('Tail'));
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/v1/connections',
      headers: auth,
      payload: { connector_id: 'app-events' },
    });
    connectionId = (created.json() as { connection: { id: string } }).connection.id;
    url = await t.app.listen({ host: '127.0.0.1', port: 0 });
    env = {
      SLUICE_URL: url,
      SLUICE_API_KEY: auth.authorization.slice('Bearer '.length),
      SLUICE_PROFILES_FILE: '/nonexistent/sluice-profiles.json',
    };
  });
  after(async () => {
    for (const r of running) r.child.kill('SIGKILL');
    await t.close();
  });

  it('tails matching envelopes live, one JSON line each with its position, and resumes with --since', async () => {
    const tail = start(['tail', '--type', 'order.*', '--entity', 'order:42', '--count', '2', '--json'], env);
    running.push(tail);
    await tail.waitFor(/Tailing envelopes \(Ctrl-C to stop\)/);
    await emit(41);
    const first = await emit(42);
    const second = await emit(42, 'order.updated');
    assert.equal(await tail.exited(), 0, tail.stderr());
    const lines = jsonLines<{ position: string; event: { event_id: string; event_type: string } }>(
      tail.stdout(),
    );
    assert.deepEqual(
      lines.map((l) => [l.event.event_id, l.event.event_type]),
      [
        [first, 'order.created'],
        [second, 'order.updated'],
      ],
    );
    assert.match(lines[0]?.position ?? '', /^\d+\.\d+$/);

    const resumed = await runCli(['tail', '--since', lines[0]?.position as string, '--count', '1'], env);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.match(
      resumed.stdout,
      new RegExp(`^\\d\\d:\\d\\d:\\d\\d  order\\.updated  order:42  ${second}  shop-a  @\\d+\\.\\d+\\n$`),
    );
  });

  it('reconnects after the connection drops and resumes after the last envelope it printed', async () => {
    const port = Number(new URL(url).port);
    const relay: TcpRelay = await startRelay({ host: '127.0.0.1', port });
    try {
      const tail = start(['tail', '--count', '2', '--json'], {
        ...env,
        SLUICE_URL: `http://127.0.0.1:${relay.port}`,
      });
      running.push(tail);
      await tail.waitFor(/Tailing envelopes/);
      const first = await emit(7);
      await tail.waitFor(new RegExp(first), 'stdout');
      relay.cut();
      const second = await emit(8, 'order.updated');
      await tail.waitFor(/cannot reach the server|the stream (broke|closed)/);
      relay.restore();
      await tail.waitFor(/reconnected, resuming after \d+\.\d+/);
      assert.equal(await tail.exited(), 0, tail.stderr());
      const ids = jsonLines<{ event: { event_id: string } }>(tail.stdout()).map((l) => l.event.event_id);
      assert.deepEqual(ids, [first, second], 'nothing skipped, nothing repeated');
    } finally {
      await relay.close();
    }
  });

  it('fails with the API error for a bad key', async () => {
    const refused = await runCli(['tail'], { ...env, SLUICE_API_KEY: 'slk_not_a_key' });
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /^error unauthenticated \(401\): /m);
  });

  it('forwards envelopes to a local server signed as deliveries are, one line per answer', async () => {
    const bad = await runCli(['listen', 'localhost-3000'], env);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /Give an absolute http\(s\) URL/);

    const received: Array<{ path: string; headers: Record<string, string>; body: string }> = [];
    const receiver = http.createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const headers = Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k, String(v)]));
        received.push({ path: request.url ?? '/', headers, body: Buffer.concat(chunks).toString('utf8') });
        response.writeHead(request.url === '/hooks' ? 204 : 404).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const origin = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
    try {
      const live = start(['listen', `${origin}/hooks`, '--type', 'order.*', '--count', '2', '--json'], env);
      running.push(live);
      const [, secret] = await live.waitFor(/Signing secret for this session[^:]*: (whsec_\S+)/);
      await live.waitFor(/Forwarding envelopes to http:\/\/127\.0\.0\.1:\d+\/hooks/);
      const a = await emit(100);
      const b = await emit(101, 'order.updated');
      assert.equal(await live.exited(), 0, live.stderr());
      const lines = jsonLines<{ event_id: string; status: number; latency_ms: number; error: null }>(
        live.stdout(),
      );
      assert.deepEqual(
        lines.map((l) => [l.event_id, l.status, l.error]),
        [
          [a, 204, null],
          [b, 204, null],
        ],
      );
      assert.ok(lines.every((l) => Number.isInteger(l.latency_ms) && l.latency_ms >= 0));
      // What a receiver of real deliveries does: verify with the standardwebhooks package and the secret.
      const verifier = new Webhook(secret as string);
      assert.deepEqual(
        received.map((r) => {
          const envelope = verifier.verify(r.body, r.headers) as { event_id: string };
          return [r.path, r.headers['webhook-id'], envelope.event_id];
        }),
        [
          ['/hooks', a, a],
          ['/hooks', b, b],
        ],
      );
      assert.throws(() =>
        new Webhook(`whsec_${Buffer.alloc(24, 1).toString('base64')}`).verify(
          received[0]?.body ?? '',
          received[0]?.headers ?? {},
        ),
      );
    } finally {
      await new Promise((resolve) => receiver.close(resolve));
    }

    const nobody = start(['listen', `http://127.0.0.1:${await closedPort()}/nobody`, '--count', '1'], env);
    running.push(nobody);
    await nobody.waitFor(/Forwarding envelopes/);
    const c = await emit(102);
    assert.equal(await nobody.exited(), 0);
    assert.match(
      nobody.stdout(),
      new RegExp(`^\\d\\d:\\d\\d:\\d\\d  order\\.created  ${c}  →  error: ECONNREFUSED  \\d+ ms\\n$`),
    );
  });

  it('follows a bulk replay that runs in the background to its end, and exits 1 when replays failed', async () => {
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/v1/connections',
      headers: auth,
      payload: { connector_id: 'github' },
    });
    const github = (created.json() as { connection: { id: string } }).connection.id;
    for (const n of [1, 2, 3]) {
      const sent = await t.app.inject({
        method: 'POST',
        url: `/api/v1/connections/${github}/test-deliveries`,
        headers: auth,
        payload: { body: JSON.stringify({ n }), headers: { 'x-github-event': 'no_such_event' } },
      });
      assert.equal(sent.statusCode, 202, sent.body);
    }
    const run = await runCli(['dlq', 'replay', '--filter', 'connector=github,kind=ingest'], env);
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stderr, /^Bulk replay rpl_\w+ of 3 started\.$/m);
    const [summary, ...failures] = run.stdout.trim().split('\n');
    assert.match(summary ?? '', /^Replay rpl_\w+ finished: 0 replayed, 3 failed of 3\.$/);
    assert.equal(failures.length, 3);
    for (const line of failures) assert.match(line, /^ {2}dlq_\w+: mapping_failed: /);
  });
});
