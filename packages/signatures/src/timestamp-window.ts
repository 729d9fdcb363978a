import { DEFAULT_TOLERANCE_SECONDS } from '@sluice/core';
import { fail, type VerifyFailure } from './verifier.ts';

const UNIX_SECONDS = /^[0-9]{1,12}$/;

/** A Unix time in whole seconds, or null unless the text is only digits. */
export function parseUnixSeconds(text: string): number | null {
  return UNIX_SECONDS.test(text) ? Number(text) : null;
}

/** The failure for a timestamp header that is not a Unix time; the value is shown, shortened. */
export function malformedTimestamp(header: string, value: string): VerifyFailure {
  return fail(
    'signature_invalid',
    `${header} ${JSON.stringify(value.slice(0, 40))} is not a Unix time in seconds.`,
  );
}

/**
 * The failure for a timestamp further than the tolerance from now, in either direction, or null when fresh.
 * An invalid `toleranceSeconds` in the config fails every delivery rather than disabling the check.
 */
export function staleness(
  header: string,
  timestamp: number,
  nowMs: number,
  toleranceSeconds: number | undefined,
): VerifyFailure | null {
  const tolerance = toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  if (!Number.isFinite(tolerance) || tolerance < 0) {
    return fail(
      'signature_invalid',
      `The verification config's toleranceSeconds ${tolerance} is not a number ≥ 0.`,
    );
  }
  const ageSeconds = Math.floor(nowMs / 1000) - timestamp;
  if (Math.abs(ageSeconds) <= tolerance) return null;
  const direction = ageSeconds > 0 ? 'in the past' : 'in the future';
  return fail(
    'timestamp_stale',
    `${header} ${timestamp} is ${Math.abs(ageSeconds)} s ${direction}; the tolerance is ${tolerance} s.`,
  );
}
