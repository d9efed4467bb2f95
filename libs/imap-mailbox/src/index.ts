export {
  type ApplyOutcome,
  applyMailAction,
  intendedFields,
  satisfies,
} from './apply-mail-action.js';
export { withDeadline } from './deadline.js';
export { type EmailCopy, emailStateOf, type FolderRole, principalCopy } from './email-state.js';
export { type FolderPlan, planFolders } from './folder-plan.js';
export {
  type FolderSyncState,
  type FolderSyncStore,
  RedisFolderSyncStore,
} from './folder-sync-store.js';
export {
  ImapConnector,
  type ImapConnectorOptions,
  type TokenCredential,
} from './imap-connector.adapter.js';
export { LoginLimiter } from './login-limiter.js';
export {
  loadMailDomains,
  type MailDomain,
  MailDomainConfig,
  MailDomains,
  MailDomainsError,
  MailDomainsFile,
  parseMailDomains,
} from './mail-domains.js';
export type { ConnectOptions, MailboxConnector } from './mailbox-connector.port.js';
export {
  classifyMailboxFailure,
  describeFailure,
  MailboxError,
  type MailboxErrorCode,
  type MailboxFailureKind,
} from './mailbox-error.js';
export {
  type FoundEmail,
  type Look,
  MailboxSession,
  type MailboxSessionOptions,
  type SessionNotice,
  type WakeReason,
} from './mailbox-session.js';
export { type MailboxState, type MailboxStatus, MailboxStatusStore } from './mailbox-status.js';
export {
  declareMailboxes,
  type MailboxDeclaration,
  type MailboxRecord,
  mailboxesTopicSpec,
  readMailboxRecord,
  withdrawMailboxes,
} from './mailboxes-topic.js';
export { notificationSearch, stableIdSearch } from './notification-query.js';
export { emailKey, type ObservedEmail } from './observed-email.js';
export { RedisTokenCache } from './redis-token-cache.js';
export {
  type MailDomainLookup,
  ReloadingMailDomains,
  type ReloadingMailDomainsOptions,
} from './reloading-mail-domains.js';
export { defaultMailboxRetry, type MailboxRetryPolicy, retryDelay } from './retry-policy.js';
