import { createHmac, randomBytes } from 'node:crypto';

/** What a load's sender saw for one attempt at one delivery. */
export interface Attempt {
  readonly startedAt: number;
  readonly endedAt: number;
  /** The HTTP status, or `transport` when no answer was read (refused, reset, timed out). */
  readonly status: number | 'transport';
  readonly retryAfter: string | null;
  /** The error code of a refusal (`storage_unavailable`, ...), when its body had one. */
  readonly code: string | null;
}

/** A delivery the system acknowledged with a 2xx: a source event it must not lose. */
export interface AckedEvent {
  readonly dedupeKey: string;
  readonly orderId: string;
  readonly eventType: 'order.created' | 'order.updated';
  readonly total: number;
}

export interface WebhookLoadOptions {
  /** The receivers up now; each attempt goes to one of them at random. */
  readonly receivers: () => ReadonlyArray<string>;
  readonly connectionId: string;
  /** The connection's Shopify signing secret. */
  readonly secret: string;
  /** Senders at once; each sends one order's events in order (a create, then its updates). */
  readonly concurrency: number;
  /** Updates after each create: several events of one entity, so single-flight has work to do. */
  readonly updatesPerOrder: number;
  /** Attempts per delivery before the sender gives up on it (a provider's retry schedule). */
  readonly maxAttempts: number;
  /** Events sent per second across all senders (each send waits its turn); absent: as fast as they go. */
  readonly ratePerSecond?: number;
  /** Each order's total; default uniform in [0, 100). Conditions on it pick the triggers an order meets. */
  readonly total?: () => number;
  /** Called with every attempt, e.g. to check what was answered while a dependency was down. */
  readonly onAttempt?: (attempt: Attempt) => void;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The `error.code` of an error answer's JSON body, or null. */
function errorCode(text: string): string | null {
  try {
    const code = (JSON.parse(text) as { error?: { code?: unknown } }).error?.code;
    return typeof code === 'string' ? code : null;
  } catch {
    return null;
  }
}

/**
 * Signed Shopify order webhooks with unique dedupe keys, sent as a provider sends them: each delivery is
 * retried byte for byte (same body, same signature) on a transport error or a 5xx, to any receiver, until
 * a 2xx or `maxAttempts`. Only a 2xx counts as acknowledged.
 */
export class WebhookLoad {
  readonly acked = new Map<string, AckedEvent>();
  /** Deliveries never acknowledged within `maxAttempts`. */
  gaveUp = 0;
  /** Answers that are neither a 2xx nor a retryable refusal: a 4xx for a valid delivery is a defect. */
  readonly unexpected: string[] = [];
  readonly statuses = new Map<string, number>();
  private running = false;
  private workers: Promise<void>[] = [];
  private readonly run = randomBytes(3).readUIntBE(0, 3);
  private nextOrder = 0;
  /** The paced start time of the next send. */
  private nextSendAt = 0;

  private readonly options: WebhookLoadOptions;

  constructor(options: WebhookLoadOptions) {
    this.options = options;
  }

  start(): void {
    this.running = true;
    this.workers = Array.from({ length: this.options.concurrency }, () => this.worker());
  }

  /** Lets each sender finish the order it is on, then resolves. */
  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.workers);
  }

  private async worker(): Promise<void> {
    while (this.running) {
      const orderId = this.newOrderId();
      const total = Math.round((this.options.total?.() ?? Math.random() * 100) * 100) / 100;
      for (let update = 0; update <= this.options.updatesPerOrder; update++) {
        // The entity's next event is sent only once this one is acknowledged: the source's own order.
        if (!(await this.send(orderId, update, total))) break;
      }
    }
  }

  private newOrderId(): string {
    return `${this.run}${String(this.nextOrder++).padStart(7, '0')}`;
  }

  /**
   * One new order, created and acknowledged outside the running load, for a scenario to time how long it
   * takes to take effect; answers its id once acknowledged, or null if it never was.
   */
  async probe(): Promise<string | null> {
    const orderId = this.newOrderId();
    return (await this.send(orderId, 0, 1)) ? orderId : null;
  }

  /** Waits for this send's turn at `ratePerSecond`. */
  private async pace(): Promise<void> {
    const rate = this.options.ratePerSecond;
    if (rate === undefined) return;
    const now = Date.now();
    const at = Math.max(now, this.nextSendAt);
    this.nextSendAt = at + 1_000 / rate;
    if (at > now) await sleep(at - now);
  }

  /** Sends event number `update` of one order (0 = its creation); answers whether it was acknowledged. */
  private async send(orderId: string, update: number, total: number): Promise<boolean> {
    await this.pace();
    const placed = new Date(Date.UTC(2025, 2, 14, 10, 0, 0));
    const updatedAt = new Date(placed.getTime() + update * 60_000).toISOString();
    const created = update === 0;
    const event: AckedEvent = {
      dedupeKey: created
        ? `shopify:order:${orderId}:created`
        : `shopify:order:${orderId}:updated:${updatedAt}`,
      orderId,
      eventType: created ? 'order.created' : 'order.updated',
      total,
    };
    const body = JSON.stringify({
      id: orderId,
      name: `#${orderId}`,
      created_at: placed.toISOString(),
      updated_at: updatedAt,
      currency: 'EUR',
      total_price: total.toFixed(2),
      line_items: [],
    });
    return this.deliver(body, created ? 'orders/create' : 'orders/updated', event);
  }

  private async deliver(body: string, topic: string, event: AckedEvent): Promise<boolean> {
    const headers = {
      'content-type': 'application/json',
      'x-shopify-topic': topic,
      'x-shopify-webhook-id': randomBytes(8).toString('hex'),
      'x-shopify-hmac-sha256': createHmac('sha256', this.options.secret).update(body).digest('base64'),
    };
    for (let attempt = 1; attempt <= this.options.maxAttempts; attempt++) {
      const receivers = this.options.receivers();
      const base = receivers[Math.floor(Math.random() * receivers.length)];
      const startedAt = Date.now();
      let status: number | 'transport' = 'transport';
      let retryAfter: string | null = null;
      let text = '';
      if (base !== undefined) {
        try {
          const response = await fetch(`${base}/api/v1/ingest/${this.options.connectionId}`, {
            method: 'POST',
            headers,
            body,
            signal: AbortSignal.timeout(20_000),
          });
          status = response.status;
          retryAfter = response.headers.get('retry-after');
          text = await response.text();
        } catch {
          status = 'transport';
        }
      }
      this.options.onAttempt?.({ startedAt, endedAt: Date.now(), status, retryAfter, code: errorCode(text) });
      this.statuses.set(String(status), (this.statuses.get(String(status)) ?? 0) + 1);
      if (status === 200) {
        this.acked.set(event.dedupeKey, event);
        return true;
      }
      if (status !== 'transport' && status < 500) {
        this.unexpected.push(`${status} for ${event.dedupeKey}: ${text.slice(0, 200)}`);
        return false;
      }
      await sleep(Math.min(1_000, 50 * 2 ** Math.min(attempt, 5)) * (0.5 + Math.random()));
    }
    this.gaveUp++;
    return false;
  }
}
