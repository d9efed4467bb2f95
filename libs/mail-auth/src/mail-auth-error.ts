import { VmsyncError } from '@vmsync/errors';

/**
 * Why a mailbox could not be opened. The admin-action codes (delegation, key, clock, user,
 * IMAP setting, TLS trust) are never retriable: nothing changes until a person acts, and
 * the message says what to do.
 */
export type MailAuthErrorCode =
  | 'DELEGATION_MISSING'
  | 'KEY_INVALID'
  | 'KEY_FILE_INVALID'
  | 'CLOCK_SKEW'
  | 'USER_UNKNOWN'
  | 'SCOPE_INVALID'
  | 'ADMIN_POLICY'
  | 'IMAP_DISABLED'
  | 'IMAP_AUTH_FAILED'
  | 'IMAP_TLS_UNTRUSTED'
  | 'IMAP_UNAVAILABLE'
  | 'TOKEN_ENDPOINT_UNAVAILABLE'
  | 'GOOGLE_AUTH_FAILED';

/** What is known about the failed attempt. Never holds a key or a token. */
export interface MailAuthErrorDetails {
  readonly clientId?: string;
  readonly clientEmail?: string;
  readonly privateKeyId?: string;
  readonly subject?: string;
  readonly scopes?: readonly string[];
  /** Google's `error` / `error_description`, or the IMAP server's response code and text. */
  readonly serverError?: string;
  readonly serverErrorDescription?: string;
  readonly httpStatus?: number;
}

export class MailAuthError extends VmsyncError {
  override readonly code: MailAuthErrorCode;
  readonly details: MailAuthErrorDetails;

  constructor(
    code: MailAuthErrorCode,
    message: string,
    options: { retriable: boolean; cause?: unknown; details?: MailAuthErrorDetails },
  ) {
    super(code, message, { retriable: options.retriable, cause: options.cause });
    this.name = 'MailAuthError';
    this.code = code;
    this.details = options.details ?? {};
  }
}
