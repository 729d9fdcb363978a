import type { VerificationConfig } from '@sluice/core';
import { bodyHmacVerifier } from './body-hmac-verifier.ts';
import type { Verifier } from './verifier.ts';

type GithubConfig = Extract<VerificationConfig, { scheme: 'github' }>;

/**
 * GitHub: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256(secret, body)>`, with `X-GitHub-Delivery` as the
 * webhook id.
 */
export const githubVerifier: Verifier<GithubConfig> = bodyHmacVerifier({
  scheme: 'github',
  signatureHeader: 'x-hub-signature-256',
  deliveryHeader: 'x-github-delivery',
  encoding: 'hex',
  prefix: 'sha256=',
});
