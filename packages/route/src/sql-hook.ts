import type { Envelope } from '@sluice/core';

/**
 * Compiles the text of a `{sql: "..."}` condition once, e.g. with the CloudEvents SQL package.
 * Without a hook the router reports such a condition as `sql_unavailable`.
 */
export type SqlHook = (
  text: string,
) =>
  | { readonly ok: true; matches(envelope: Envelope): boolean }
  | { readonly ok: false; readonly problem: { readonly message: string } };
