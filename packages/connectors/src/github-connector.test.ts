import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resolveStream, runMapping } from '@sluice/map';
import {
  githubHeaders,
  githubIssueOpened,
  githubPing,
  githubPullRequestSynchronize,
  githubPush,
} from './fixtures/github-deliveries.ts';
import { deliveryOf } from './fixtures/map-input.ts';
import { githubConnector, mapGitHubDelivery } from './github-connector.ts';

const DELIVERY = '72d3162e-cc78-11e3-81ab-4c9367dc0958';

describe('github connector', () => {
  it('verifies with the github scheme and declares every emitted type', () => {
    assert.deepEqual(githubConnector.webhook?.verify, { scheme: 'github' });
    for (const type of ['repository.pushed', 'pull_request.synchronized', 'issue.opened']) {
      assert.equal(githubConnector.eventTypes.get(type), 'events', type);
    }
  });

  it('maps a push to repository.pushed about the repository', () => {
    const result = runMapping(githubConnector, deliveryOf(githubPush, githubHeaders('push', DELIVERY)));
    assert.deepEqual(result, {
      ok: true,
      emissions: [
        {
          source: 'github',
          event_type: 'repository.pushed',
          dedupe_key: `github:delivery:${DELIVERY}:repository.pushed`,
          occurred_at: '2025-03-14T10:20:02.000Z',
          payload: {
            entity: { kind: 'repository', id: '812345678' },
            repository: 'atelier-moreau/storefront',
            ref: 'refs/heads/main',
            before: '6113728f27ae82c7b1a177c8d03f9e96e0adf246',
            after: '0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c',
            created: false,
            deleted: false,
            forced: false,
            commit_count: 1,
            head_commit_id: '0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c',
            head_commit_message: 'Fix rounding of order totals',
            pusher: 'imoreau',
            sender: 'imoreau',
          },
        },
      ],
    });
  });

  it('falls back to repository.pushed_at for a branch deletion without a head commit', () => {
    const emission = mapGitHubDelivery(
      deliveryOf(
        { ...githubPush, deleted: true, head_commit: null, commits: [] },
        githubHeaders('push', DELIVERY),
      ),
    );
    assert.equal(emission?.occurred_at, '2025-03-14T10:20:00.000Z');
    assert.equal(emission?.payload['deleted'], true);
  });

  it('maps pull_request synchronize to pull_request.synchronized about the pull request', () => {
    const emission = mapGitHubDelivery(
      deliveryOf(githubPullRequestSynchronize, githubHeaders('pull_request', DELIVERY)),
    );
    assert.ok(emission);
    assert.equal(emission.event_type, 'pull_request.synchronized');
    assert.equal(emission.dedupe_key, `github:delivery:${DELIVERY}:pull_request.synchronized`);
    assert.equal(emission.occurred_at, '2025-03-14T10:05:31.000Z');
    assert.deepEqual(emission.payload['entity'], { kind: 'pull_request', id: '2291384756' });
    assert.equal(emission.payload['number'], 57);
    assert.equal(emission.payload['head_sha'], '9a3c0f1e2b4d6a8c0e1f3a5b7c9d1e3f5a7b9c1d');
    assert.deepEqual(resolveStream(githubConnector, emission), { ok: true, stream: 'events' });
  });

  it('maps a closed pull request to pull_request.closed at closed_at', () => {
    const closed = {
      ...githubPullRequestSynchronize,
      action: 'closed',
      pull_request: {
        ...githubPullRequestSynchronize.pull_request,
        state: 'closed',
        merged: true,
        closed_at: '2025-03-14T15:00:00Z',
        updated_at: '2025-03-14T15:00:01Z',
      },
    };
    const emission = mapGitHubDelivery(deliveryOf(closed, githubHeaders('pull_request', DELIVERY)));
    assert.equal(emission?.event_type, 'pull_request.closed');
    assert.equal(emission?.occurred_at, '2025-03-14T15:00:00.000Z');
    assert.equal(emission?.payload['merged'], true);
  });

  it('maps issues opened to issue.opened about the issue', () => {
    const emission = mapGitHubDelivery(deliveryOf(githubIssueOpened, githubHeaders('issues', DELIVERY)));
    assert.ok(emission);
    assert.equal(emission.event_type, 'issue.opened');
    assert.equal(emission.occurred_at, '2025-03-14T12:00:09.000Z');
    assert.deepEqual(emission.payload['entity'], { kind: 'issue', id: '2891234567' });
    assert.deepEqual(emission.payload['labels'], ['bug']);
    assert.deepEqual(emission.payload['assignees'], ['tdubois']);
  });

  it('emits nothing for a ping', () => {
    assert.deepEqual(runMapping(githubConnector, deliveryOf(githubPing, githubHeaders('ping', DELIVERY))), {
      ok: true,
      emissions: [],
    });
  });

  it('gives a later update (a new delivery) a different dedupe key, and a redelivery the same', () => {
    const first = mapGitHubDelivery(
      deliveryOf(githubPullRequestSynchronize, githubHeaders('pull_request', DELIVERY)),
    );
    const redelivered = mapGitHubDelivery(
      deliveryOf(structuredClone(githubPullRequestSynchronize), githubHeaders('pull_request', DELIVERY)),
    );
    const later = mapGitHubDelivery(
      deliveryOf(
        {
          ...githubPullRequestSynchronize,
          pull_request: { ...githubPullRequestSynchronize.pull_request, updated_at: '2025-03-14T11:42:00Z' },
        },
        githubHeaders('pull_request', '8e0f2a4c-cc78-11e3-81ab-4c9367dc0958'),
      ),
    );
    assert.equal(redelivered?.dedupe_key, first?.dedupe_key);
    assert.notEqual(later?.dedupe_key, first?.dedupe_key);
  });

  it('rejects an unsupported event or action', () => {
    const workflow = runMapping(
      githubConnector,
      deliveryOf({ action: 'completed' }, githubHeaders('workflow_run', DELIVERY)),
    );
    assert.equal(workflow.ok, false);
    assert.match(workflow.ok ? '' : workflow.error.message, /unsupported x-github-event "workflow_run"/);
    const labeled = runMapping(
      githubConnector,
      deliveryOf(
        { ...githubPullRequestSynchronize, action: 'labeled' },
        githubHeaders('pull_request', DELIVERY),
      ),
    );
    assert.equal(labeled.ok, false);
    assert.match(labeled.ok ? '' : labeled.error.message, /unsupported pull_request action "labeled"/);
  });

  it('rejects a delivery without x-github-delivery', () => {
    assert.throws(
      () => mapGitHubDelivery(deliveryOf(githubPush, { 'x-github-event': 'push' })),
      /no x-github-delivery header/,
    );
  });
});
