// Test support for the email side's integration tests (package export `./testing`).

export { type Collected, collectEnvelopes } from './collect.js';
export { type StackEnv, serviceEnv, stackEnv, writeTestDomainsFile } from './stack-env.js';
export { PBX_SENDER, TestMailbox, type TestNotification } from './test-mailbox.js';
