/**
 * What a tenant's plans may do. `allowedKinds` lists the action kinds the tenant allows: exact kinds
 * (`http`, `connector:github.issue.comment`) or prefixes ending in `*` (`connector:github.*`, `*`).
 * `dryRun` records the plan as the job's result and runs nothing.
 */
export interface PlanPolicy {
  allowedKinds(tenantId: string): ReadonlyArray<string> | Promise<ReadonlyArray<string>>;
  dryRun?(tenantId: string): boolean | Promise<boolean>;
}

/** True when `kind` is among `allowed`, exactly or under a `*` prefix. */
export function kindAllowed(kind: string, allowed: ReadonlyArray<string>): boolean {
  return allowed.some((pattern) =>
    pattern.endsWith('*') ? kind.startsWith(pattern.slice(0, -1)) : kind === pattern,
  );
}
