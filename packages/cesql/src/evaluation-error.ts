/**
 * The CESQL error types (spec section 3.3), named as the TCK names them. These are stable codes: a kind is
 * never renamed or reused for another meaning.
 */
export type ErrorKind =
  | 'parse'
  | 'math'
  | 'cast'
  | 'missingAttribute'
  | 'missingFunction'
  | 'functionEvaluation'
  | 'generic';

/** An error raised while evaluating an expression; it travels beside the result value, never thrown. */
export interface EvaluationError {
  readonly kind: Exclude<ErrorKind, 'parse'>;
  readonly message: string;
}

/** Why a text is not a CESQL expression. `position` is the 0-based offset of the offending character. */
export interface ParseError {
  readonly kind: 'parse';
  readonly message: string;
  readonly position: number;
}

/** Collects the errors of one evaluation. */
export type ErrorSink = EvaluationError[];
