export { buildDirectory, type Directory, EndpointConfig } from './config.js';
export {
  GOOGLE_TOKEN_URL,
  JWT_BEARER_GRANT,
  MAIL_SCOPES,
  type TokenError,
  TokenErrors,
} from './google-responses.js';
export { decideGrant, type GrantDecision } from './grant.js';
export { decodeJwt, signRs256, verifyRs256 } from './jwt.js';
export { createTokenEndpoint, type RequestLogEntry, type TokenEndpointOptions } from './server.js';
export { AccessTokenStore, type Introspection } from './token-store.js';
