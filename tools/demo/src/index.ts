export { type DemoContext, loadContext } from './demo-context.js';
export { MailboxUser, type MailView } from './mailbox-user.js';
export { type PhoneAction, PhoneUser } from './phone-user.js';
export { serviceEnv, setUp, type WorldOptions } from './setup.js';
