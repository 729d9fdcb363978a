import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { type HttpAction, traceparentOfSpan, tracer } from '@sluice/core';
import type { ActionContext, ActionOutcome, ActionRunner } from './action-runner.ts';
import { buildDeliveryRequest } from './delivery-request.ts';
import type { HttpDeliverer } from './http-deliverer.ts';

export interface HttpActionRunnerOptions {
  readonly deliverer: Pick<HttpDeliverer, 'send'>;
  /**
   * The plaintext `whsec_` secret of a trigger's action, or null when it has none. The server opens the
   * sealed column (`TriggerStore.sealedSecret` + `SecretBox.open`); the runner never sees ciphertext.
   */
  readonly secretOf: (tenantId: string, triggerId: string) => Promise<string | null>;
  /** The send time, epoch ms (`webhook-timestamp`). */
  readonly now?: () => number;
}

/** Opened secrets an http runner keeps. */
const MAX_SECRETS = 1_000;

/**
 * The `http` action: POST the event to the action's URL in its format, signed per Standard Webhooks with
 * the job's idempotency key as `webhook-id`, through the guarded deliverer. A request that cannot be built
 * (unknown format, a broken secret) is refused: nothing is sent and the job goes to the dead letters.
 */
export class HttpActionRunner implements ActionRunner<HttpAction> {
  readonly type = 'http' as const;
  readonly #options: HttpActionRunnerOptions;
  /**
   * Opened secrets by trigger and version: every change of a trigger (its secret's too) moves its
   * `updated_at`, so a job of a changed trigger looks its secret up again. Bounded; oldest out first.
   */
  readonly #secrets = new Map<string, Promise<string | null>>();

  constructor(options: HttpActionRunnerOptions) {
    this.#options = options;
  }

  async run(context: ActionContext<HttpAction>): Promise<ActionOutcome> {
    const { trigger } = context;
    let secret: string | null;
    try {
      secret = await this.#secretOf(trigger);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      return {
        kind: 'refused',
        rule: 'request_invalid',
        error: `secret_invalid: the action's secret cannot be opened: ${reason}`,
      };
    }
    // The outbound request is a client span of the job's; receivers continue it from `traceparent`.
    const span = tracer.startSpan('POST', {
      kind: SpanKind.CLIENT,
      attributes: { 'http.request.method': 'POST', ...targetAttributes(trigger.action.url) },
    });
    const traceparent = traceparentOfSpan(span);
    const built = buildDeliveryRequest({
      action: trigger.action,
      secret,
      idempotencyKey: context.idempotencyKey,
      envelope: context.envelope,
      nowMs: (this.#options.now ?? Date.now)(),
      ...(traceparent === null ? {} : { traceparent }),
    });
    if (!built.ok) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: built.rule });
      span.end();
      return { kind: 'refused', rule: 'request_invalid', error: `${built.rule}: ${built.message}` };
    }
    const outcome = await this.#options.deliverer.send(built.request, {
      timeoutMs: context.timeoutMs,
      signal: context.signal,
    });
    if ('status' in outcome && outcome.status !== undefined) {
      span.setAttribute('http.response.status_code', outcome.status);
    }
    if (outcome.kind !== 'delivered') span.setStatus({ code: SpanStatusCode.ERROR, message: outcome.kind });
    span.end();
    if (outcome.kind !== 'delivered') return outcome;
    return { ...outcome, result: { status: outcome.status } };
  }

  #secretOf(trigger: ActionContext<HttpAction>['trigger']): Promise<string | null> {
    const key = `${trigger.tenant_id}/${trigger.id}@${trigger.updated_at}`;
    let secret = this.#secrets.get(key);
    if (secret === undefined) {
      if (this.#secrets.size >= MAX_SECRETS) this.#secrets.delete(this.#secrets.keys().next().value ?? '');
      secret = this.#options.secretOf(trigger.tenant_id, trigger.id);
      // A lookup that failed is not kept: the next job asks again.
      secret.catch(() => this.#secrets.delete(key));
      this.#secrets.set(key, secret);
    }
    return secret;
  }
}

/** Where a delivery goes, without its path's query (which may carry a token). */
function targetAttributes(url: string): Record<string, string | number> {
  try {
    const target = new URL(url);
    const port = target.port === '' ? (target.protocol === 'https:' ? 443 : 80) : Number(target.port);
    return {
      'server.address': target.hostname,
      'server.port': port,
      'url.scheme': target.protocol.slice(0, -1),
    };
  } catch {
    return {};
  }
}
