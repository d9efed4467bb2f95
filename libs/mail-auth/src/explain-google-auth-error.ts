import {
  MailAuthError,
  type MailAuthErrorCode,
  type MailAuthErrorDetails,
} from './mail-auth-error.js';

export const MAIL_SCOPE = 'https://mail.google.com/';

/** What the caller knows of the attempt, to name it in the message. */
export interface AuthAttempt {
  /** Which step failed: minting the token (default) or the IMAP connection/login. */
  readonly stage?: 'token' | 'imap';
  readonly clientId?: string;
  readonly clientEmail?: string;
  readonly privateKeyId?: string;
  readonly subject?: string;
  readonly scopes?: readonly string[];
}

const DWD_PATH =
  'Admin console > Security > Access and data control > API controls > Domain-wide delegation';

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'TimeoutError',
  'AbortError',
  'CONNECT_TIMEOUT',
  'GREETING_TIMEOUT',
  'UPGRADE_TIMEOUT',
  'ETIMEOUT',
  'NoConnection',
  'EConnectionClosed',
  'ClosedAfterConnectText',
  'ClosedAfterConnectTLS',
]);

const TLS_TRUST_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

interface ErrorShape {
  code?: unknown;
  status?: unknown;
  message?: unknown;
  response?: { status?: unknown; data?: unknown } | string | null;
  authenticationFailed?: unknown;
  serverResponseCode?: unknown;
  responseText?: unknown;
}

/**
 * Turns whatever failed while getting a Google access token or logging in to IMAP into a
 * MailAuthError with a stable code, the right `retriable`, and a message an administrator
 * can act on. Pure: reads the error, never the network.
 *
 * Google's answers follow "Using OAuth 2.0 for Server to Server Applications", section
 * "JWT error codes"; Gmail's IMAP refusals carry `[ALERT]` / `[AUTHENTICATIONFAILED]`.
 */
export function explainGoogleAuthError(error: unknown, attempt: AuthAttempt = {}): MailAuthError {
  if (error instanceof MailAuthError) return error;
  const e = (typeof error === 'object' && error !== null ? error : {}) as ErrorShape;
  const { stage = 'token', ...base } = attempt;
  const oauth = googleOAuthError(e);
  if (oauth !== undefined) return explainOAuth(oauth, base, error);
  if (e.authenticationFailed === true || typeof e.serverResponseCode === 'string') {
    return explainImap(e, base, error);
  }
  const code = typeof e.code === 'string' ? e.code : undefined;
  const message = typeof e.message === 'string' ? e.message : String(error);
  if (code !== undefined && TLS_TRUST_CODES.has(code)) {
    return new MailAuthError(
      'IMAP_TLS_UNTRUSTED',
      `The IMAP server's TLS certificate is not trusted (${code}). Give the CA that signed it (tls.ca) and the name it was issued for (tls.servername).`,
      { retriable: false, cause: error, details: base },
    );
  }
  const status = httpStatus(e);
  if (status !== undefined && (status >= 500 || status === 429 || status === 408)) {
    return new MailAuthError(
      'TOKEN_ENDPOINT_UNAVAILABLE',
      `Google's token endpoint answered HTTP ${status}; trying again later usually works.`,
      { retriable: true, cause: error, details: { ...base, httpStatus: status } },
    );
  }
  if (code !== undefined && NETWORK_CODES.has(code)) {
    const imap = stage === 'imap';
    return new MailAuthError(
      imap ? 'IMAP_UNAVAILABLE' : 'TOKEN_ENDPOINT_UNAVAILABLE',
      `${imap ? 'The IMAP server' : "Google's token endpoint"} could not be reached (${code}: ${message}); trying again later usually works.`,
      { retriable: true, cause: error, details: base },
    );
  }
  return new MailAuthError('GOOGLE_AUTH_FAILED', `Getting mailbox access failed: ${message}`, {
    retriable: false,
    cause: error,
    details: base,
  });
}

interface OAuthError {
  readonly error: string;
  readonly description: string;
  readonly status?: number;
}

/** gaxios puts an object here, imapflow the server's text. */
function httpResponse(e: ErrorShape): { status?: unknown; data?: unknown } | undefined {
  return typeof e.response === 'object' && e.response !== null ? e.response : undefined;
}

function httpStatus(e: ErrorShape): number | undefined {
  const s = httpResponse(e)?.status ?? e.status;
  return typeof s === 'number' ? s : undefined;
}

/** `{error, error_description}` from a gaxios response, or from its `error: description` message. */
function googleOAuthError(e: ErrorShape): OAuthError | undefined {
  const status = httpStatus(e);
  const data = httpResponse(e)?.data;
  if (
    typeof data === 'object' &&
    data !== null &&
    typeof (data as { error?: unknown }).error === 'string'
  ) {
    const d = data as { error: string; error_description?: unknown };
    const description = typeof d.error_description === 'string' ? d.error_description : '';
    return { error: d.error, description, ...(status === undefined ? {} : { status }) };
  }
  const m = typeof e.message === 'string' ? /^([a-z_]+): (.*)$/s.exec(e.message) : null;
  if (m?.[1] !== undefined && KNOWN_OAUTH.has(m[1])) {
    return { error: m[1], description: m[2] ?? '', ...(status === undefined ? {} : { status }) };
  }
  return undefined;
}

const KNOWN_OAUTH = new Set([
  'invalid_grant',
  'unauthorized_client',
  'access_denied',
  'invalid_scope',
  'admin_policy_enforced',
  'disabled_client',
  'invalid_client',
  'org_internal',
  'invalid_request',
]);

function explainOAuth(o: OAuthError, attempt: MailAuthErrorDetails, cause: unknown): MailAuthError {
  const details: MailAuthErrorDetails = {
    ...attempt,
    serverError: o.error,
    serverErrorDescription: o.description,
    ...(o.status === undefined ? {} : { httpStatus: o.status }),
  };
  const said = `Google said: ${o.error}${o.description ? ` "${o.description}"` : ''}`;
  const clientId = attempt.clientId ?? "the service account's client ID";
  const subject = attempt.subject ?? 'the user';
  const scopes = attempt.scopes?.length ? attempt.scopes.join(',') : MAIL_SCOPE;
  const fail = (code: MailAuthErrorCode, text: string) =>
    new MailAuthError(code, `${text} (${said})`, { retriable: false, cause, details });
  const d = o.description.toLowerCase();

  if (o.error === 'unauthorized_client' || o.error === 'access_denied') {
    return fail(
      'DELEGATION_MISSING',
      `Google refused a token for ${subject}: client ID ${clientId} has no domain-wide delegation for scope ${scopes} in that user's domain. In the ${DWD_PATH}, add client ID ${clientId} with scope ${scopes} (the numeric client ID, not the service account's email), then allow a few minutes for it to take effect.`,
    );
  }
  if (o.error === 'invalid_scope') {
    return fail(
      'SCOPE_INVALID',
      `Google did not accept the requested scope ${scopes}. Request ${MAIL_SCOPE}.`,
    );
  }
  if (o.error === 'admin_policy_enforced' || o.error === 'org_internal') {
    return fail(
      'ADMIN_POLICY',
      `A Workspace policy blocks client ID ${clientId} for ${subject}. In the Admin console > Security > Access and data control > API controls > App access control, mark the app with client ID ${clientId} as trusted.`,
    );
  }
  if (
    o.error === 'disabled_client' ||
    o.error === 'invalid_client' ||
    d.includes('signature') ||
    d.includes('account not found')
  ) {
    const key = attempt.privateKeyId ? `key ${attempt.privateKeyId} of ` : 'the key of ';
    const account = attempt.clientEmail ?? 'the service account';
    return fail(
      'KEY_INVALID',
      `Google rejected ${key}${account}: the key or the service account was deleted or disabled, or the key file belongs to another account. In the Google Cloud console > IAM & Admin > Service Accounts > ${account} > Keys, create a new JSON key and replace the key file vmsync reads.`,
    );
  }
  if (d.includes('short-lived') || d.includes('reasonable timeframe')) {
    return fail(
      'CLOCK_SKEW',
      "Google refused the token request because this host's clock is off (the JWT's iat/exp are not around Google's time). Synchronize the clock of the host running vmsync (NTP: chrony or systemd-timesyncd).",
    );
  }
  if (d.includes('invalid email') || d.includes('user id') || d.includes('not a valid email')) {
    return fail(
      'USER_UNKNOWN',
      `Google does not know the user ${subject}. Check the notification address of that voicemail box: it must be an existing user of the Workspace domain.`,
    );
  }
  return fail('GOOGLE_AUTH_FAILED', `Google refused a token for ${subject}.`);
}

function explainImap(e: ErrorShape, attempt: MailAuthErrorDetails, cause: unknown): MailAuthError {
  const code = typeof e.serverResponseCode === 'string' ? e.serverResponseCode : undefined;
  const text =
    typeof e.responseText === 'string'
      ? e.responseText
      : typeof e.response === 'string'
        ? e.response
        : typeof e.message === 'string'
          ? e.message
          : '';
  const details: MailAuthErrorDetails = {
    ...attempt,
    ...(code === undefined ? {} : { serverError: code }),
    serverErrorDescription: text,
  };
  const user = attempt.subject ?? 'the user';
  if (
    /not enabled for IMAP|IMAP (access )?is disabled|enable (your account for )?IMAP/i.test(text)
  ) {
    return new MailAuthError(
      'IMAP_DISABLED',
      `IMAP is turned off for ${user}. In the Admin console > Apps > Google Workspace > Gmail > End User Access, turn on "POP and IMAP access" for the user's organizational unit. (Server said: ${text})`,
      { retriable: false, cause, details },
    );
  }
  return new MailAuthError(
    'IMAP_AUTH_FAILED',
    `The IMAP server refused the access token for ${user}${code ? ` [${code}]` : ''}: it expired, was revoked, or was issued for another user. Mint a new token (drop the cached one) and try again. (Server said: ${text || 'no text'})`,
    { retriable: true, cause, details },
  );
}
