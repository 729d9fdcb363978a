import type { WebhookTarget } from '../webhook-target.ts';
import type { WebhookLoad } from './webhook-load.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The time, from now, until a new order sent now has been acknowledged and has taken effect at the target
 * (every stage did its part: receive, relay, route, execute); null when not within `timeoutMs`.
 */
export async function timeToEffect(
  load: WebhookLoad,
  target: WebhookTarget,
  timeoutMs: number,
): Promise<{ ackMs: number; effectMs: number } | null> {
  const started = Date.now();
  const orderId = await load.probe();
  if (orderId === null) return null;
  const ackMs = Date.now() - started;
  while (Date.now() - started < timeoutMs) {
    if (target.deliveries.some((d) => d.envelope.payload['order_id'] === orderId)) {
      return { ackMs, effectMs: Date.now() - started };
    }
    await sleep(20);
  }
  return null;
}
