import { type Position, SluiceError } from '@sluice/core';

/**
 * A position is `<transaction id>.<log id>`: the 64-bit id of the transaction that wrote the row, then the
 * row's place in the log. Readers only read rows whose transaction is below the commit horizon (the oldest
 * transaction still running), so a row that commits late, with a lower transaction id than rows already
 * read, is never passed over.
 */
export interface PositionParts {
  readonly tx: string;
  readonly log: string;
}

const POSITION = /^(\d{1,20})\.(\d{1,19})$/;

export function formatPosition(tx: string, log: string): Position {
  return `${tx}.${log}`;
}

/** The parts of a position; `invalid_cursor` when it is not one. */
export function parsePosition(position: Position): PositionParts {
  const match = POSITION.exec(position);
  if (match === null) {
    throw new SluiceError(
      'invalid_cursor',
      `"${position}" is not a position (expected "<number>.<number>").`,
    );
  }
  return { tx: match[1] as string, log: match[2] as string };
}

export function isPosition(value: string): boolean {
  return POSITION.test(value);
}

/** The later of two positions. */
export function laterPosition(a: Position, b: Position): Position {
  const x = parsePosition(a);
  const y = parsePosition(b);
  const tx = BigInt(x.tx) - BigInt(y.tx);
  if (tx !== 0n) return tx > 0n ? a : b;
  return BigInt(x.log) >= BigInt(y.log) ? a : b;
}
