export { envelopeFixture, TEST_SECRET } from './envelope-fixture.ts';
export type { ReceivedRequest, ReceiverHandler, TestReceiver } from './receiver.ts';
export { answer, startReceiver } from './receiver.ts';
