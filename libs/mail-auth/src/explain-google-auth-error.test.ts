import { describe, expect, it } from 'vitest';
import { explainGoogleAuthError } from './explain-google-auth-error.js';
import { MailAuthError } from './mail-auth-error.js';

/** The shape gaxios gives google-auth-library's token errors. */
function googleError(status: number, error: string, description: string) {
  return Object.assign(new Error(`${error}: ${description}`), {
    status,
    response: { status, data: { error, error_description: description } },
  });
}

const attempt = {
  clientId: '112233445566778899001',
  clientEmail: 'sync@proj.iam.gserviceaccount.com',
  privateKeyId: 'abc123',
  subject: 'user1@example.test',
  scopes: ['https://mail.google.com/'],
};

describe('explainGoogleAuthError: Google token endpoint answers', () => {
  it('maps unauthorized_client to DELEGATION_MISSING with the exact Admin console fix', () => {
    const e = explainGoogleAuthError(
      googleError(
        401,
        'unauthorized_client',
        'Client is unauthorized to retrieve access tokens using this method, or client not authorized for any of the scopes requested.',
      ),
      attempt,
    );
    expect(e).toBeInstanceOf(MailAuthError);
    expect(e.code).toBe('DELEGATION_MISSING');
    expect(e.retriable).toBe(false);
    expect(e.message).toContain(
      'In the Admin console > Security > Access and data control > API controls > Domain-wide delegation, add client ID 112233445566778899001 with scope https://mail.google.com/',
    );
    expect(e.details).toMatchObject({
      serverError: 'unauthorized_client',
      httpStatus: 401,
      subject: 'user1@example.test',
    });
  });

  it.each([
    ['invalid_grant', 'Invalid JWT Signature.', 'KEY_INVALID'],
    ['invalid_grant', 'Invalid grant: account not found', 'KEY_INVALID'],
    ['disabled_client', 'The OAuth client was disabled.', 'KEY_INVALID'],
    [
      'invalid_grant',
      'Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim.',
      'CLOCK_SKEW',
    ],
    ['invalid_grant', 'Invalid email or User ID', 'USER_UNKNOWN'],
    ['invalid_scope', 'Invalid OAuth scope or ID token audience provided.', 'SCOPE_INVALID'],
    ['admin_policy_enforced', '', 'ADMIN_POLICY'],
    ['access_denied', 'Requested client not authorized.', 'DELEGATION_MISSING'],
  ])('maps %s "%s" to %s, not retriable', (error, description, code) => {
    const e = explainGoogleAuthError(googleError(400, error, description), attempt);
    expect(e.code).toBe(code);
    expect(e.retriable).toBe(false);
    expect(e.message).toContain(error);
  });

  it('names the key and the account for KEY_INVALID', () => {
    const e = explainGoogleAuthError(
      googleError(400, 'invalid_grant', 'Invalid JWT Signature.'),
      attempt,
    );
    expect(e.message).toContain('key abc123 of sync@proj.iam.gserviceaccount.com');
    expect(e.message).toContain('create a new JSON key');
  });

  it('reads the code from the message when the response body is gone', () => {
    const e = explainGoogleAuthError(
      new Error('unauthorized_client: Client is unauthorized'),
      attempt,
    );
    expect(e.code).toBe('DELEGATION_MISSING');
  });

  it('treats 5xx, 429 and network failures as retriable', () => {
    expect(explainGoogleAuthError({ response: { status: 503, data: 'x' } }).code).toBe(
      'TOKEN_ENDPOINT_UNAVAILABLE',
    );
    expect(explainGoogleAuthError({ response: { status: 429 } }).retriable).toBe(true);
    const refused = explainGoogleAuthError(
      Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
    );
    expect(refused).toMatchObject({ code: 'TOKEN_ENDPOINT_UNAVAILABLE', retriable: true });
  });

  it('returns a MailAuthError unchanged and wraps unknown errors as not retriable', () => {
    const original = new MailAuthError('USER_UNKNOWN', 'x', { retriable: false });
    expect(explainGoogleAuthError(original)).toBe(original);
    const unknown = explainGoogleAuthError(new TypeError('boom'));
    expect(unknown).toMatchObject({ code: 'GOOGLE_AUTH_FAILED', retriable: false });
    expect(unknown.cause).toBeInstanceOf(TypeError);
  });
});

describe('explainGoogleAuthError: IMAP login answers', () => {
  /** The shape imapflow gives a refused AUTHENTICATE. */
  const imapError = (text: string, code?: string) =>
    Object.assign(new Error('Command failed'), {
      authenticationFailed: true,
      responseText: text,
      ...(code === undefined ? {} : { serverResponseCode: code }),
    });

  it('maps a refused token to IMAP_AUTH_FAILED, retriable with a new token', () => {
    const e = explainGoogleAuthError(
      imapError('Invalid credentials (Failure)', 'AUTHENTICATIONFAILED'),
      {
        subject: 'user2@example.test',
      },
    );
    expect(e).toMatchObject({ code: 'IMAP_AUTH_FAILED', retriable: true });
    expect(e.message).toContain('user2@example.test');
    expect(e.message).toContain('[AUTHENTICATIONFAILED]');
  });

  it("maps Gmail's IMAP-disabled alert to IMAP_DISABLED with the Admin console fix", () => {
    const e = explainGoogleAuthError(
      imapError(
        'Your account is not enabled for IMAP use. Please visit your Gmail settings page and enable your account for IMAP access. (Failure)',
        'ALERT',
      ),
    );
    expect(e).toMatchObject({ code: 'IMAP_DISABLED', retriable: false });
    expect(e.message).toContain('Gmail > End User Access');
  });

  it('maps an untrusted certificate to IMAP_TLS_UNTRUSTED and connection loss to IMAP_UNAVAILABLE', () => {
    expect(
      explainGoogleAuthError({ code: 'DEPTH_ZERO_SELF_SIGNED_CERT', message: 'self-signed' }),
    ).toMatchObject({
      code: 'IMAP_TLS_UNTRUSTED',
      retriable: false,
    });
    for (const code of ['GREETING_TIMEOUT', 'ECONNREFUSED']) {
      expect(explainGoogleAuthError({ code, message: 'x' }, { stage: 'imap' })).toMatchObject({
        code: 'IMAP_UNAVAILABLE',
        retriable: true,
      });
    }
  });
});
