/**
 * Google's token-endpoint answers, word for word where Google documents them.
 *
 * Source: Google Identity, "Using OAuth 2.0 for Server to Server Applications"
 * (developers.google.com/identity/protocols/oauth2/service-account), its sections
 * "Making the access token request" / "Handling the response" (the success shape, a 3599 s
 * `expires_in` for a one-hour token, `token_type: Bearer`) and "JWT error codes" (the
 * `error` / `error_description` pairs below and when each is sent). Wording Google does not
 * document is marked as this stand-in's own.
 */

/** The one audience Google accepts in a service-account assertion (and the URL it stands for). */
export const GOOGLE_TOKEN_URL = 'https://oauth2.googleapis.com/token';
export const JWT_BEARER_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

/** Scopes that open Gmail over IMAP. `gmail.imap_admin` also shows every label. */
export const MAIL_SCOPES: readonly string[] = [
  'https://mail.google.com/',
  'https://www.googleapis.com/auth/gmail.imap_admin',
];

export interface TokenError {
  readonly status: 400 | 401;
  readonly error: string;
  readonly error_description: string;
}

export const TokenErrors = {
  /** Signed by a key that is not (or no longer) one of the service account's keys. */
  invalidSignature: {
    status: 400,
    error: 'invalid_grant',
    error_description: 'Invalid JWT Signature.',
  },
  /** iat/exp out of range: over an hour apart, or not around now (clock skew). */
  notShortLived: {
    status: 400,
    error: 'invalid_grant',
    error_description:
      'Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim.',
  },
  /** `sub` names no user Google knows. */
  unknownUser: {
    status: 400,
    error: 'invalid_grant',
    error_description: 'Invalid email or User ID',
  },
  /** `iss` names no service account (deleted account). Seen from Google, not in the table. */
  unknownAccount: {
    status: 400,
    error: 'invalid_grant',
    error_description: 'Invalid grant: account not found',
  },
  /** `aud` is not the token URL. Seen from Google, not in the table. */
  wrongAudience: {
    status: 400,
    error: 'invalid_grant',
    error_description: `Invalid JWT: Failed audience check. The expected audience is ${GOOGLE_TOKEN_URL}.`,
  },
  /** Domain-wide delegation missing for this client id, domain or scope. */
  unauthorizedClient: {
    status: 401,
    error: 'unauthorized_client',
    error_description:
      'Client is unauthorized to retrieve access tokens using this method, or client not authorized for any of the scopes requested.',
  },
  /** No scope requested. */
  invalidScope: {
    status: 400,
    error: 'invalid_scope',
    error_description: 'Invalid OAuth scope or ID token audience provided.',
  },
  /** The stand-in's own wording for an assertion that is not a JWT at all. */
  malformed: {
    status: 400,
    error: 'invalid_grant',
    error_description: 'Invalid JWT: malformed assertion.',
  },
  /** The stand-in's own wording, after RFC 6749 §5.2. */
  unsupportedGrant: {
    status: 400,
    error: 'unsupported_grant_type',
    error_description: 'Invalid grant_type.',
  },
  missingAssertion: {
    status: 400,
    error: 'invalid_request',
    error_description: 'Missing required parameter: assertion',
  },
} as const satisfies Record<string, TokenError>;
