import { VmsyncError } from '@vmsync/errors';
import { MailAuthError } from '@vmsync/mail-auth';

/**
 * What a failure means for a mailbox:
 * - `admin`: nothing changes until a person acts (delegation, key, IMAP turned off, TLS trust,
 *   no Trash folder); retried only rarely, in case they did.
 * - `throttled`: the server limits us (too many connections, bandwidth, rate); back off long.
 * - `auth-refused`: the server refused a token that Google issued (expired, revoked); mint a
 *   fresh one and try again at once.
 * - `transient`: network, server restart, timeout; retry with backoff.
 */
export type MailboxFailureKind = 'admin' | 'throttled' | 'auth-refused' | 'transient';

export type MailboxErrorCode =
  | 'MAILBOX_NO_CREDENTIAL'
  | 'MAILBOX_NO_TRASH'
  | 'MAILBOX_LOGIN_REFUSED'
  | 'MAILBOX_UNSUPPORTED'
  | 'MAILBOX_THROTTLED'
  | 'MAILBOX_IMAP_FAILED'
  | 'MAILBOX_CLOSED'
  | 'MAILBOX_TIMEOUT';

/** A mailbox-level failure that did not come from authentication (see MailAuthError). */
export class MailboxError extends VmsyncError {
  override readonly code: MailboxErrorCode;

  constructor(
    code: MailboxErrorCode,
    message: string,
    options: { retriable: boolean; cause?: unknown },
  ) {
    super(code, message, options);
    this.name = 'MailboxError';
    this.code = code;
  }
}

const THROTTLED =
  /too many (simultaneous )?connections|maximum number of connections|\[THROTTLED\]|\bthrottl|bandwidth|rate limit|\[LIMIT\]|\[OVERQUOTA\]/i;

const ADMIN_MAILBOX_CODES = new Set<MailboxErrorCode>([
  'MAILBOX_NO_CREDENTIAL',
  'MAILBOX_NO_TRASH',
  'MAILBOX_LOGIN_REFUSED',
  'MAILBOX_UNSUPPORTED',
]);

interface ImapErrorShape {
  message?: unknown;
  responseText?: unknown;
  serverResponseCode?: unknown;
  response?: unknown;
}

/** Every text an error carries (imapflow puts the server's answer in several fields). */
function texts(error: unknown): string {
  const parts: string[] = [];
  let e: unknown = error;
  for (let depth = 0; depth < 4 && typeof e === 'object' && e !== null; depth++) {
    const s = e as ImapErrorShape & { cause?: unknown; details?: unknown };
    for (const v of [s.message, s.responseText, s.serverResponseCode, s.response]) {
      if (typeof v === 'string') parts.push(v);
    }
    const d = s.details as { serverErrorDescription?: unknown } | undefined;
    if (typeof d?.serverErrorDescription === 'string') parts.push(d.serverErrorDescription);
    e = s.cause;
  }
  return parts.join(' | ');
}

export function classifyMailboxFailure(error: unknown): MailboxFailureKind {
  if (THROTTLED.test(texts(error))) return 'throttled';
  if (error instanceof MailAuthError) {
    if (error.code === 'IMAP_AUTH_FAILED') return 'auth-refused';
    return error.retriable ? 'transient' : 'admin';
  }
  if (error instanceof MailboxError) {
    if (error.code === 'MAILBOX_THROTTLED') return 'throttled';
    return ADMIN_MAILBOX_CODES.has(error.code) ? 'admin' : 'transient';
  }
  return 'transient';
}

/** A stable code and a message fit for an operator, for any failure. */
export function describeFailure(error: unknown): { code: string; message: string } {
  if (error instanceof VmsyncError) return { code: error.code, message: error.message };
  const e = (typeof error === 'object' && error !== null ? error : {}) as {
    code?: unknown;
    message?: unknown;
  };
  return {
    code: typeof e.code === 'string' ? e.code : 'MAILBOX_IMAP_FAILED',
    message: typeof e.message === 'string' ? e.message : String(error),
  };
}
