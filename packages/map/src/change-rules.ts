import { isEventType } from '@sluice/core';
import { type DefinitionProblem, problem } from './definition-problem.ts';
import type { DraftStream } from './normalize-streams.ts';

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const nonEmptyString = (value: unknown): value is string => typeof value === 'string' && value !== '';

/**
 * A stream's `changes` (synthetic change events): poll streams only; `entity_kind`, `id_field` and
 * `event_prefix` are non-empty strings, `ignore_fields` a list of strings, `snapshot` a boolean,
 * `ttl_ms` a positive integer; the stream declares `<prefix>.created` and `.updated` (and `.deleted`
 * for a snapshot stream), since those are the events it will emit.
 */
export function checkChangeDetection(id: string, drafts: ReadonlyArray<DraftStream>): DefinitionProblem[] {
  const problems: DefinitionProblem[] = [];
  for (const { declaration } of drafts) {
    const changes: unknown = declaration.changes;
    if (changes === undefined) continue;
    const key = declaration.key;
    if (declaration.mode !== 'poll') {
      problems.push(
        problem(id, key, 'changes_poll_only', 'changes (change detection) is for poll streams only'),
      );
      continue;
    }
    if (
      !isRecord(changes) ||
      !nonEmptyString(changes['entity_kind']) ||
      !nonEmptyString(changes['id_field']) ||
      !nonEmptyString(changes['event_prefix']) ||
      (changes['ignore_fields'] !== undefined &&
        (!Array.isArray(changes['ignore_fields']) ||
          changes['ignore_fields'].some((field) => !nonEmptyString(field)))) ||
      (changes['snapshot'] !== undefined && typeof changes['snapshot'] !== 'boolean') ||
      (changes['ttl_ms'] !== undefined &&
        (!Number.isSafeInteger(changes['ttl_ms']) || (changes['ttl_ms'] as number) <= 0))
    ) {
      problems.push(
        problem(
          id,
          key,
          'changes_shape',
          'changes must be { entity_kind, id_field, event_prefix, ignore_fields?: string[], snapshot?: boolean, ttl_ms?: positive integer }',
        ),
      );
      continue;
    }
    const prefix = changes['event_prefix'] as string;
    const verbs = changes['snapshot'] === true ? ['created', 'updated', 'deleted'] : ['created', 'updated'];
    const missing = verbs
      .map((verb) => `${prefix}.${verb}`)
      .filter((type) => !declaration.events.includes(type));
    if (missing.length > 0 || !isEventType(`${prefix}.created`)) {
      problems.push(
        problem(
          id,
          key,
          'changes_events_undeclared',
          `change detection emits ${missing.map((t) => JSON.stringify(t)).join(', ')}; declare them in the stream's events`,
        ),
      );
    }
  }
  return problems;
}
