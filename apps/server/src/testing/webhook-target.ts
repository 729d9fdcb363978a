import { Buffer } from 'node:buffer';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

/** One delivery the target took, after verifying its signature. */
export interface TargetDelivery {
  readonly path: string;
  readonly webhookId: string;
  readonly envelope: { event_id: string; tenant_id: string; payload: Record<string, unknown> };
  readonly at: number;
  /** False for a repeat of a webhook-id already seen: the target dedupes, so no second side effect. */
  readonly effect: boolean;
  /** The request's headers (lowercased names). */
  readonly headers: Readonly<Record<string, string>>;
}

/**
 * Per path: how long to take before a 200, another status to answer at once (a failing subscriber: its
 * delivery is recorded but is not an `effect`), or to hold the delivery until the sender goes away.
 */
export type TargetBehaviour = (delivery: TargetDelivery) => { delayMs: number } | { status: number } | 'hold';

/**
 * A webhook receiver as a careful subscriber would write one: it verifies every request with the
 * `standardwebhooks` package, makes each side effect once per `webhook-id`, and answers 2xx.
 */
export interface WebhookTarget {
  readonly origin: string;
  readonly deliveries: TargetDelivery[];
  /** Requests whose signature did not verify. */
  readonly unverified: string[];
  /** Deliveries answered with a failing status by a `{ status }` behaviour (no effect). */
  readonly failed: TargetDelivery[];
  /** The most deliveries of one entity in flight at once, by entity (`kind:id`). */
  readonly maxInFlight: Map<string, number>;
  behave(path: string, behaviour: TargetBehaviour): void;
  /** Stops listening (and drops open connections): new connections are refused until {@link listen}. */
  refuse(): Promise<void>;
  /** Listens again, on the same port. */
  listen(): Promise<void>;
  close(): Promise<void>;
}

export async function startWebhookTarget(secret: string): Promise<WebhookTarget> {
  const verifier = new Webhook(secret);
  const deliveries: TargetDelivery[] = [];
  const unverified: string[] = [];
  const failed: TargetDelivery[] = [];
  const seen = new Set<string>();
  const inFlight = new Map<string, number>();
  const maxInFlight = new Map<string, number>();
  const behaviours = new Map<string, TargetBehaviour>();
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks);
      const headers = Object.fromEntries(
        Object.entries(request.headers).map(([name, value]) => [name, String(value)]),
      );
      try {
        verifier.verify(body, headers);
      } catch (error) {
        unverified.push(String(error));
        response.writeHead(401).end();
        return;
      }
      const webhookId = headers['webhook-id'] ?? '';
      const envelope = JSON.parse(body.toString('utf8')) as TargetDelivery['envelope'];
      const entity = envelope.payload['entity'] as { kind: string; id: string } | undefined;
      const key = entity === undefined ? '' : `${entity.kind}:${entity.id}`;
      const path = request.url ?? '/';
      const probe: TargetDelivery = { path, webhookId, envelope, at: Date.now(), effect: false, headers };
      const behaviour = behaviours.get(path)?.(probe) ?? { delayMs: 0 };
      if (typeof behaviour === 'object' && 'status' in behaviour) {
        failed.push(probe);
        response.writeHead(behaviour.status).end();
        return;
      }
      const effect = !seen.has(webhookId);
      seen.add(webhookId);
      const delivery: TargetDelivery = { ...probe, effect };
      deliveries.push(delivery);
      const now = (inFlight.get(key) ?? 0) + 1;
      inFlight.set(key, now);
      maxInFlight.set(key, Math.max(maxInFlight.get(key) ?? 0, now));
      let settled = false;
      const leave = () => {
        if (settled) return;
        settled = true;
        inFlight.set(key, (inFlight.get(key) ?? 1) - 1);
      };
      const done = () => {
        leave();
        if (!response.destroyed) response.writeHead(200).end();
      };
      response.on('close', leave);
      if (behaviour === 'hold') return;
      if (behaviour.delayMs <= 0) done();
      else setTimeout(done, behaviour.delayMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const close = () =>
    new Promise<void>((resolve) => {
      if (!server.listening) return resolve();
      server.close(() => resolve());
      server.closeAllConnections();
    });
  return {
    origin: `http://127.0.0.1:${port}`,
    deliveries,
    unverified,
    failed,
    maxInFlight,
    behave: (path, behaviour) => behaviours.set(path, behaviour),
    refuse: close,
    listen: () => new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve)),
    close,
  };
}
