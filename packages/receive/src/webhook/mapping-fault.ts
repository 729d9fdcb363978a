import type { ErrorCode } from '@sluice/core';

/** A delivery that verified but could not become valid emissions: it is dead-lettered, not refused. */
export class MappingFault extends Error {
  readonly context: Readonly<Record<string, unknown>>;

  constructor(message: string, context: Readonly<Record<string, unknown>>) {
    super(message);
    this.name = 'MappingFault';
    this.context = context;
  }
}

/** Codes ingest raises for emissions a mapping got wrong. */
export const MAPPING_FAULT_CODES: ReadonlySet<ErrorCode> = new Set([
  'emission_invalid',
  'event_type_undeclared',
  'emission_too_large',
  'batch_too_large',
  'batch_empty',
]);
