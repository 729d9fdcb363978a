export type { ActionContextOverrides } from './action-context-fixture.ts';
export { actionContextFixture, connectionFixture, deliveringRunner } from './action-context-fixture.ts';
export { envelopeFixture, TEST_SECRET } from './envelope-fixture.ts';
export type { ReceivedRequest, ReceiverHandler, TestReceiver } from './receiver.ts';
export { answer, startReceiver } from './receiver.ts';
export { shopConnector } from './shop-connector.ts';
