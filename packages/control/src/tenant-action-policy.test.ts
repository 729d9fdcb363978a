import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Tenant } from '@sluice/core';
import { TenantActionPolicy } from './tenant-action-policy.ts';

describe('TenantActionPolicy', () => {
  it('reads a tenant once for the jobs that ask together, and again once the entry expired', async () => {
    let reads = 0;
    let clock = 0;
    const policy = new TenantActionPolicy({
      tenancy: {
        async getTenant(id: string) {
          reads++;
          await new Promise((resolve) => setTimeout(resolve, 5));
          return { id, allowed_actions: ['http'], dry_run: false } as unknown as Tenant;
        },
      },
      defaultAllowed: ['*'],
      ttlMs: 1_000,
      now: () => clock,
    });
    const asked = await Promise.all(Array.from({ length: 32 }, () => policy.allowedKinds('ten_a')));
    assert.equal(reads, 1);
    assert.ok(asked.every((kinds) => kinds.join() === 'http'));
    clock = 1_001;
    await Promise.all(Array.from({ length: 32 }, () => policy.dryRun('ten_a')));
    assert.equal(reads, 2);
    policy.invalidate('ten_a');
    await policy.allowedKinds('ten_a');
    assert.equal(reads, 3, 'a change notice drops the entry');
  });
});
