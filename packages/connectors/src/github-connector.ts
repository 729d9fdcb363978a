import type { Emission, MapInput } from '@sluice/core';
import { defineConnector } from '@sluice/map';
import { githubActions, githubApi } from './github-actions.ts';
import {
  idOf,
  isoFromEpochSeconds,
  isoFromSource,
  optionalString,
  recordOf,
  stringOf,
} from './source-fields.ts';

const ID = 'github';

/** `pull_request` webhook actions → event types. GitHub's `synchronize` reads as `synchronized`. */
const PULL_REQUEST_ACTIONS: Readonly<Record<string, string>> = {
  opened: 'pull_request.opened',
  closed: 'pull_request.closed',
  reopened: 'pull_request.reopened',
  synchronize: 'pull_request.synchronized',
  edited: 'pull_request.edited',
  ready_for_review: 'pull_request.ready_for_review',
};

/** `issues` webhook actions → event types. */
const ISSUE_ACTIONS: Readonly<Record<string, string>> = {
  opened: 'issue.opened',
  closed: 'issue.closed',
  reopened: 'issue.reopened',
  edited: 'issue.edited',
  assigned: 'issue.assigned',
  labeled: 'issue.labeled',
  deleted: 'issue.deleted',
};

/** Every event type the connector emits. */
export const GITHUB_EVENT_TYPES: ReadonlyArray<string> = [
  'repository.pushed',
  ...Object.values(PULL_REQUEST_ACTIONS),
  ...Object.values(ISSUE_ACTIONS),
];

type Body = Record<string, unknown>;

/**
 * A GitHub webhook delivery → at most one emission. `x-github-event` picks the kind (`push`,
 * `pull_request`, `issues`); `ping` emits nothing. Any other event or action throws, so the delivery is
 * dead-lettered instead of silently dropped. The dedupe key is the delivery GUID, which GitHub keeps on
 * redelivery.
 */
export function mapGitHubDelivery(input: MapInput): Emission | null {
  const event = input.headers['x-github-event'];
  if (event === undefined) throw new Error(`${ID}: the delivery has no x-github-event header`);
  if (event === 'ping') return null;
  const delivery = input.headers['x-github-delivery'];
  if (delivery === undefined || delivery === '') {
    throw new Error(`${ID}: the ${JSON.stringify(event)} delivery has no x-github-delivery header`);
  }
  const body = recordOf(ID, `the ${event} body`, input.body);
  const mapped = mapEvent(event, body);
  return {
    source: ID,
    event_type: mapped.eventType,
    dedupe_key: `github:delivery:${delivery}:${mapped.eventType}`,
    occurred_at: mapped.occurredAt,
    payload: mapped.payload,
  };
}

interface Mapped {
  readonly eventType: string;
  readonly occurredAt: string | null;
  readonly payload: Record<string, unknown>;
}

function mapEvent(event: string, body: Body): Mapped {
  switch (event) {
    case 'push':
      return mapPush(body);
    case 'pull_request':
      return mapPullRequest(body);
    case 'issues':
      return mapIssue(body);
    default:
      throw new Error(
        `${ID}: unsupported x-github-event ${JSON.stringify(event)}; this connector maps push, pull_request, issues and ping`,
      );
  }
}

function actionType(event: string, table: Readonly<Record<string, string>>, action: unknown): string {
  const eventType = typeof action === 'string' && Object.hasOwn(table, action) ? table[action] : undefined;
  if (eventType === undefined) {
    throw new Error(
      `${ID}: unsupported ${event} action ${JSON.stringify(action)}; this connector maps ${Object.keys(table).join(', ')}`,
    );
  }
  return eventType;
}

function repositoryOf(body: Body): { id: string; full_name: string | null } {
  const repository = recordOf(ID, 'repository', body['repository']);
  return {
    id: idOf(ID, 'repository.id', repository['id']),
    full_name: optionalString(repository['full_name']),
  };
}

function loginOf(value: unknown): string | null {
  return typeof value === 'object' && value !== null ? optionalString((value as Body)['login']) : null;
}

function mapPush(body: Body): Mapped {
  const repository = repositoryOf(body);
  const headCommit = body['head_commit'] === null ? null : (body['head_commit'] as Body | undefined);
  const pushedAt = (body['repository'] as Body)['pushed_at'];
  const commits = Array.isArray(body['commits']) ? body['commits'] : [];
  return {
    eventType: 'repository.pushed',
    occurredAt: isoFromSource(headCommit?.['timestamp']) ?? isoFromEpochSeconds(pushedAt),
    payload: {
      entity: { kind: 'repository', id: repository.id },
      repository: repository.full_name,
      ref: stringOf(ID, 'ref', body['ref']),
      before: optionalString(body['before']),
      after: optionalString(body['after']),
      created: body['created'] === true,
      deleted: body['deleted'] === true,
      forced: body['forced'] === true,
      commit_count: commits.length,
      head_commit_id: optionalString(headCommit?.['id']),
      head_commit_message: optionalString(headCommit?.['message']),
      pusher: optionalString((body['pusher'] as Body | undefined)?.['name']),
      sender: loginOf(body['sender']),
    },
  };
}

function mapPullRequest(body: Body): Mapped {
  const eventType = actionType('pull_request', PULL_REQUEST_ACTIONS, body['action']);
  const repository = repositoryOf(body);
  const pull = recordOf(ID, 'pull_request', body['pull_request']);
  const head = (pull['head'] ?? {}) as Body;
  const base = (pull['base'] ?? {}) as Body;
  return {
    eventType,
    occurredAt: isoFromSource(
      eventType === 'pull_request.opened'
        ? pull['created_at']
        : eventType === 'pull_request.closed'
          ? pull['closed_at']
          : pull['updated_at'],
    ),
    payload: {
      entity: { kind: 'pull_request', id: idOf(ID, 'pull_request.id', pull['id']) },
      repository: repository.full_name,
      repository_id: repository.id,
      number: pull['number'] ?? null,
      title: optionalString(pull['title']),
      state: optionalString(pull['state']),
      draft: pull['draft'] === true,
      merged: pull['merged'] === true,
      author: loginOf(pull['user']),
      head_ref: optionalString(head['ref']),
      head_sha: optionalString(head['sha']),
      base_ref: optionalString(base['ref']),
      html_url: optionalString(pull['html_url']),
      updated_at: optionalString(pull['updated_at']),
      sender: loginOf(body['sender']),
    },
  };
}

function mapIssue(body: Body): Mapped {
  const eventType = actionType('issues', ISSUE_ACTIONS, body['action']);
  const repository = repositoryOf(body);
  const issue = recordOf(ID, 'issue', body['issue']);
  const labels = Array.isArray(issue['labels']) ? issue['labels'] : [];
  const assignees = Array.isArray(issue['assignees']) ? issue['assignees'] : [];
  return {
    eventType,
    occurredAt: isoFromSource(
      eventType === 'issue.opened'
        ? issue['created_at']
        : eventType === 'issue.closed'
          ? issue['closed_at']
          : issue['updated_at'],
    ),
    payload: {
      entity: { kind: 'issue', id: idOf(ID, 'issue.id', issue['id']) },
      repository: repository.full_name,
      repository_id: repository.id,
      number: issue['number'] ?? null,
      title: optionalString(issue['title']),
      state: optionalString(issue['state']),
      author: loginOf(issue['user']),
      labels: labels.map((label: unknown) => optionalString((label as Body | null)?.['name'])),
      assignees: assignees.map(loginOf),
      html_url: optionalString(issue['html_url']),
      updated_at: optionalString(issue['updated_at']),
      sender: loginOf(body['sender']),
    },
  };
}

/** GitHub repository webhooks (pushes, pull requests, issues) and the `issue.comment` action. */
export const githubConnector = defineConnector({
  id: ID,
  version: '1.0.0',
  description: 'GitHub repository webhooks: pushes, pull requests and issues.',
  streams: [{ key: 'events', mode: 'webhook', events: GITHUB_EVENT_TYPES }],
  webhook: { verify: { scheme: 'github' } },
  map: mapGitHubDelivery,
  secretConfig: ['token'],
  api: githubApi,
  actions: githubActions,
});
