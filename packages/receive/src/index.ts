export type { ConfigOf, SchemeRegistry } from './verify/scheme-registry.ts';
export { SCHEME_REGISTRY, verifyWebhook } from './verify/scheme-registry.ts';
export { generateSecret } from './verify/secrets.ts';
export { signWebhook } from './verify/signers.ts';
export type {
  SignInput,
  Verifier,
  VerifyFailure,
  VerifyFailureCode,
  VerifyRequest,
  VerifyResult,
  VerifySuccess,
} from './verify/verifier.ts';
