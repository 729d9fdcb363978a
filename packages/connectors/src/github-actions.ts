import { type Static, Type } from '@sinclair/typebox';
import type { ApiDeclaration, ConnectorActionSpec } from '@sluice/core';

/**
 * GitHub's REST API (`https://api.github.com`, or an Enterprise server's `/api/v3`) at the connection's
 * `base_url`, a Bearer token from the sealed `token`, `X-GitHub-Api-Version: 2022-11-28`.
 */
export const githubApi: ApiDeclaration = {
  version: '2022-11-28',
  baseUrlConfigKey: 'base_url',
  auth: { type: 'bearer', configKey: 'token' },
  versionHeader: 'X-GitHub-Api-Version',
  headers: { Accept: 'application/vnd.github+json' },
};

const NAME = '^[A-Za-z0-9_.-]{1,100}$';

const commentInput = Type.Object(
  {
    owner: Type.String({ pattern: NAME }),
    repo: Type.String({ pattern: NAME }),
    number: Type.Integer({ minimum: 1 }),
    body: Type.String({ minLength: 1, maxLength: 65536 }),
  },
  { additionalProperties: false },
);

/**
 * `issue.comment`: `POST {base_url}/repos/{owner}/{repo}/issues/{number}/comments` with `{"body"}` (pull
 * requests are issues too); the result is the created comment.
 */
const issueComment: ConnectorActionSpec<Static<typeof commentInput>> = {
  description: 'Comment on an issue or a pull request.',
  input: commentInput,
  async run(ctx, input) {
    const owner = encodeURIComponent(input.owner);
    const repo = encodeURIComponent(input.repo);
    const response = await ctx.client.request({
      method: 'POST',
      path: `/repos/${owner}/${repo}/issues/${input.number}/comments`,
      body: { body: input.body },
    });
    return response.body;
  },
};

/** The actions of the github connector. */
export const githubActions = { 'issue.comment': issueComment };
