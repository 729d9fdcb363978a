export { startTestApp, TEST_ADMIN_KEY, type TestApp, type TestAppOptions } from './test-app.ts';
