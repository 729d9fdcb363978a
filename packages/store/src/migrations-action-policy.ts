import type { Migration } from './migrations.ts';

/** A tenant's action policy: the action kinds its triggers and plans may use, and its dry-run mode. */
export const ACTION_POLICY_MIGRATION: Migration = {
  id: '0014_tenant_action_policy',
  sql: `
-- allowed_actions: a JSON array of kinds ('http', 'connector:github.*', 'handler:order-risk', '*'); null:
-- the server's default (SLUICE_ALLOWED_ACTIONS). dry_run: actions are planned and recorded, never run.
ALTER TABLE tenants ADD COLUMN allowed_actions jsonb;
ALTER TABLE tenants ADD COLUMN dry_run boolean NOT NULL DEFAULT false;
`,
};
