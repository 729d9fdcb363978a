export type { ConfigOf, SchemeRegistry } from './scheme-registry.ts';
export { SCHEME_REGISTRY, verifyWebhook } from './scheme-registry.ts';
export { generateSecret } from './secrets.ts';
export { signWebhook } from './signers.ts';
export type {
  SignInput,
  Verifier,
  VerifyFailure,
  VerifyFailureCode,
  VerifyRequest,
  VerifyResult,
  VerifySuccess,
} from './verifier.ts';
