import { entityKey } from './entity-key.ts';
import type { Envelope } from './envelope.ts';

/** The envelope fields an idempotency-key template may name, besides `payload.<path>`. */
export const IDEMPOTENCY_PLACEHOLDERS = [
  'trigger_id',
  'event_id',
  'tenant_id',
  'connection_id',
  'entity_key',
  'event_type',
  'source',
  'dedupe_key',
  'correlation_id',
] as const;

/** The key a job's side effect is made under when its trigger gives no template. */
export const DEFAULT_IDEMPOTENCY_TEMPLATE = '{trigger_id}:{event_id}';

/** Most characters of a template. */
export const MAX_IDEMPOTENCY_TEMPLATE = 500;

const PLACEHOLDER = /\{([^{}]*)\}/g;
const PAYLOAD_PATH = /^payload(\.[A-Za-z0-9_-]+)+$/;

/**
 * The problems of a template such as `order-risk:{entity_key}:hold`: each `{…}` must name one of
 * {@link IDEMPOTENCY_PLACEHOLDERS} or a `payload.<path>`; braces must pair. Empty when it is valid.
 */
export function checkIdempotencyTemplate(template: string): string[] {
  const problems: string[] = [];
  if (template.length === 0 || template.length > MAX_IDEMPOTENCY_TEMPLATE) {
    problems.push(`a template is 1 to ${MAX_IDEMPOTENCY_TEMPLATE} characters`);
  }
  for (const match of template.matchAll(PLACEHOLDER)) {
    const name = match[1] ?? '';
    if (!(IDEMPOTENCY_PLACEHOLDERS as ReadonlyArray<string>).includes(name) && !PAYLOAD_PATH.test(name)) {
      problems.push(
        `{${name}} is not a placeholder; use ${IDEMPOTENCY_PLACEHOLDERS.map((p) => `{${p}}`).join(', ')} or {payload.<path>}`,
      );
    }
  }
  if (/[{}]/.test(template.replace(PLACEHOLDER, ''))) problems.push('a { or } without its pair');
  return problems;
}

function payloadValue(envelope: Envelope, path: string): string {
  let value: unknown = envelope.payload;
  for (const key of path.split('.').slice(1)) {
    value = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
  }
  if (value === undefined || value === null) return '';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/** Renders a checked template over an envelope for one trigger; a field that is missing renders empty. */
export function renderIdempotencyKey(
  template: string | null | undefined,
  triggerId: string,
  envelope: Envelope,
): string {
  return (template ?? DEFAULT_IDEMPOTENCY_TEMPLATE).replace(PLACEHOLDER, (_, name: string) => {
    if (name === 'trigger_id') return triggerId;
    if (name === 'entity_key') return entityKey(envelope.payload) ?? '';
    if (name.startsWith('payload.')) return payloadValue(envelope, name);
    const value = (envelope as unknown as Record<string, unknown>)[name];
    return value === undefined || value === null ? '' : String(value);
  });
}
