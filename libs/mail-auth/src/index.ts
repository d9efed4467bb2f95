export {
  connectImap,
  DEFAULT_TCP_KEEPALIVE,
  type ImapConnectOptions,
  type TcpKeepAlive,
} from './connect-imap.js';
export {
  type AuthAttempt,
  explainGoogleAuthError,
  MAIL_SCOPE,
} from './explain-google-auth-error.js';
export {
  type AccessToken,
  GoogleServiceAccountCredential,
  type GoogleServiceAccountCredentialOptions,
} from './google-service-account-credential.js';
export {
  MailAuthError,
  type MailAuthErrorCode,
  type MailAuthErrorDetails,
} from './mail-auth-error.js';
export { parseServiceAccountKey, ServiceAccountKey } from './service-account-key.js';
export { type SealedToken, type SharedTokenCache, TokenSeal } from './shared-token-cache.js';
