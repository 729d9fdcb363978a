import { newEventId } from '@sluice/core';

/**
 * What a pass keeps under its cursor key. A delta stream keeps the handler's cursor as is. A snapshot
 * stream (change detection with `snapshot: true`) keeps the handler's cursor with the pass's generation
 * while a pass is under way (`{"snapshot":"<generation>","cursor":...}`), so a pass that resumes after a
 * crash stamps its records with the same generation; a complete pass clears it, and the next one starts
 * the snapshot over.
 */
export interface PassCursor {
  readonly cursor: string | null;
  readonly generation: string;
}

/** Reads a stored cursor: a snapshot stream's wrapped form, or (for a delta stream) the handler's cursor. */
export function readPassCursor(stored: string | null, snapshot: boolean): PassCursor {
  if (snapshot && stored !== null && stored.startsWith('{')) {
    try {
      const parsed = JSON.parse(stored) as { snapshot?: unknown; cursor?: unknown };
      if (typeof parsed.snapshot === 'string') {
        return {
          generation: parsed.snapshot,
          cursor: typeof parsed.cursor === 'string' ? parsed.cursor : null,
        };
      }
    } catch {
      // Not ours: treated as a handler cursor below.
    }
  }
  return { cursor: snapshot ? null : stored, generation: newEventId() };
}

/** What to store after a page: null once a snapshot pass is complete. */
export function writePassCursor(pass: PassCursor, snapshot: boolean, complete: boolean): string | null {
  if (!snapshot) return pass.cursor;
  if (complete) return null;
  return JSON.stringify({ snapshot: pass.generation, cursor: pass.cursor });
}
