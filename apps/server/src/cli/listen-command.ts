import type { DeliveryFormat, Envelope } from '@sluice/core';
import { type Command, InvalidArgumentError } from 'commander';
import { networkReason } from './api-client.ts';
import { oneOf, positiveNumber } from './arguments.ts';
import { withCli } from './cli-context.ts';
import { clock } from './envelope-view.ts';
import { addTailOptions, follow, type TailOptions } from './tail-command.ts';

/** The delivery formats, every one (the compiler checks the list against the type). */
const FORMATS = Object.keys({
  envelope: true,
  cloudevents: true,
  'integration-event': true,
  'device-batch': true,
} satisfies Record<DeliveryFormat, true>) as DeliveryFormat[];

/** What one forward to the local server came to. */
export interface Forwarded {
  readonly event_id: string;
  readonly event_type: string;
  readonly position: string;
  /** The local server's status, or null when it could not be reached or answered too late. */
  readonly status: number | null;
  /** Time to the status line, ms. */
  readonly latency_ms: number;
  readonly error: string | null;
}

const localUrl = (value: string): string => {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidArgumentError('Give an absolute http(s) URL, e.g. http://localhost:3000/webhooks.');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new InvalidArgumentError('Give an http or https URL.');
  return url.toString();
};

/**
 * POSTs one envelope to `url` as the executor delivers an http action: the same body for the format and
 * the same Standard Webhooks headers (`webhook-id` = the event id, `webhook-timestamp`,
 * `webhook-signature` with `secret`), built by the executor's own `buildDeliveryRequest`.
 */
export async function forward(
  envelope: Envelope,
  position: string,
  target: {
    readonly url: string;
    readonly secret: string;
    readonly format: DeliveryFormat;
    readonly timeoutMs: number;
  },
): Promise<Forwarded> {
  const base = { event_id: envelope.event_id, event_type: envelope.event_type, position };
  const { buildDeliveryRequest } = await import('@sluice/execute');
  const built = buildDeliveryRequest({
    action: { type: 'http', url: target.url, format: target.format },
    secret: target.secret,
    idempotencyKey: envelope.event_id,
    envelope,
    nowMs: Date.now(),
  });
  if (!built.ok) return { ...base, status: null, latency_ms: 0, error: built.message };
  const started = performance.now();
  try {
    const response = await fetch(built.request.url, {
      method: 'POST',
      headers: built.request.headers,
      body: built.request.body,
      signal: AbortSignal.timeout(target.timeoutMs),
    });
    const latency = Math.round(performance.now() - started);
    await response.body?.cancel();
    return { ...base, status: response.status, latency_ms: latency, error: null };
  } catch (cause) {
    const reason =
      (cause as Error).name === 'TimeoutError'
        ? `no answer within ${target.timeoutMs} ms`
        : networkReason(cause);
    return { ...base, status: null, latency_ms: Math.round(performance.now() - started), error: reason };
  }
}

/** `sluice listen <local-url>`: the tenant's envelopes, forwarded to a local server as signed deliveries. */
export function registerListenCommand(program: Command): void {
  addTailOptions(
    program
      .command('listen <local-url>')
      .description(
        'Forward envelopes as they commit to a local HTTP server, signed as deliveries are (Standard Webhooks), printing each answer.',
      )
      .option(
        '--secret <whsec>',
        'sign with this whsec_ secret (default: a new one per session, printed at start)',
      )
      .option('--format <format>', `the body: ${FORMATS.join(', ')} (default envelope)`, oneOf(FORMATS))
      .option('--timeout <ms>', 'how long to wait for each answer', positiveNumber, 10_000),
  ).action(
    withCli(
      async (
        cli,
        url: string,
        options: TailOptions & { secret?: string; format?: DeliveryFormat; timeout: number },
      ) => {
        const { generateSecret } = await import('@sluice/signatures');
        const target = {
          url: localUrl(url),
          secret: options.secret ?? generateSecret('standard-webhooks'),
          format: options.format ?? 'envelope',
          timeoutMs: options.timeout,
        };
        if (options.secret === undefined) {
          cli.out.note(
            `Signing secret for this session (verify webhook-signature with it): ${target.secret}`,
          );
        }
        await follow(cli, options, `Forwarding envelopes to ${target.url}`, async (envelope, position) => {
          const result = await forward(envelope, position, target);
          const c = cli.out.color;
          cli.out.line(result, () =>
            [
              c.dim(clock(envelope.received_at)),
              c.bold(result.event_type),
              result.event_id,
              '→',
              result.status === null
                ? c.red(`error: ${result.error}`)
                : result.status < 300
                  ? c.green(String(result.status))
                  : c.red(String(result.status)),
              c.dim(`${result.latency_ms} ms`),
            ].join('  '),
          );
        });
      },
    ),
  );
}
