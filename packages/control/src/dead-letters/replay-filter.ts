import { type DeadLetterFilter, SluiceError } from '@sluice/core';

/** What a bulk replay or a replay policy selects by; `status` is always `pending` for them. */
export type ReplayFilter = Omit<DeadLetterFilter, 'status' | 'retry_count_below'>;

const FIELDS = ['kind', 'connector', 'since', 'until', 'trigger_id'] as const;

/**
 * The filter, checked: at least one field must narrow it, so "replay everything" is never an accident
 * (`422 replay_filter_empty`), and `since`/`until` must be times (`422 validation_failed`).
 */
export function checkReplayFilter(filter: ReplayFilter | undefined): ReplayFilter {
  const given = FIELDS.filter((field) => filter?.[field] !== undefined);
  if (filter === undefined || given.length === 0) {
    throw new SluiceError(
      'replay_filter_empty',
      `A bulk replay needs a filter: name at least one of ${FIELDS.join(', ')}.`,
    );
  }
  for (const field of ['since', 'until'] as const) {
    const value = filter[field];
    if (value !== undefined && Number.isNaN(Date.parse(value))) {
      throw new SluiceError('validation_failed', `"${field}" must be an RFC 3339 time.`, {
        details: { field, value },
      });
    }
  }
  const checked: Record<string, string> = {};
  for (const field of given) checked[field] = filter[field] as string;
  return checked as ReplayFilter;
}
