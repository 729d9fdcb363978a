/**
 * The envelope fields an idempotency-key template may name, besides `payload.<path>`. The API checks
 * templates against these; the router renders them (`renderIdempotencyKey` in @sluice/route).
 */
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
