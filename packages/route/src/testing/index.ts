export type { EnvelopeFields } from './envelope-fixture.ts';
export { envelopeFixture } from './envelope-fixture.ts';
