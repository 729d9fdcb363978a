import type { DeadLetterFilter } from '@sluice/core';

/**
 * A dead-letter filter as SQL over `dead_letters d`: the condition after the tenant's, and its
 * parameters numbered from `first`. Every field left out matches everything.
 */
export function deadLetterWhere(
  filter: DeadLetterFilter,
  first: number,
): { readonly sql: string; readonly params: ReadonlyArray<unknown> } {
  const n = (i: number) => `$${first + i}`;
  const sql = [
    `(${n(0)}::text IS NULL OR d.status = ${n(0)})`,
    `(${n(1)}::text IS NULL OR d.kind = ${n(1)})`,
    `(${n(2)}::text IS NULL OR d.connector = ${n(2)})`,
    `(${n(3)}::timestamptz IS NULL OR d.created_at >= ${n(3)})`,
    `(${n(4)}::timestamptz IS NULL OR d.created_at < ${n(4)})`,
    `(${n(5)}::text IS NULL OR EXISTS (SELECT 1 FROM jobs j
        WHERE j.tenant_id = d.tenant_id AND j.id = d.job_id AND j.trigger_id = ${n(5)}))`,
    `(${n(6)}::integer IS NULL OR d.retry_count < ${n(6)})`,
  ].join(' AND ');
  return {
    sql,
    params: [
      filter.status ?? null,
      filter.kind ?? null,
      filter.connector ?? null,
      filter.since ?? null,
      filter.until ?? null,
      filter.trigger_id ?? null,
      filter.retry_count_below ?? null,
    ],
  };
}
