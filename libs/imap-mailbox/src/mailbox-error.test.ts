import { MailAuthError } from '@vmsync/mail-auth';
import { describe, expect, it } from 'vitest';
import { classifyMailboxFailure, MailboxError } from './mailbox-error.js';

describe('classifyMailboxFailure', () => {
  it('admin: delegation, key, IMAP off, no Trash — someone must act', () => {
    for (const code of ['DELEGATION_MISSING', 'KEY_INVALID', 'IMAP_DISABLED'] as const) {
      expect(classifyMailboxFailure(new MailAuthError(code, 'x', { retriable: false }))).toBe(
        'admin',
      );
    }
    expect(
      classifyMailboxFailure(new MailboxError('MAILBOX_NO_TRASH', 'x', { retriable: false })),
    ).toBe('admin');
  });

  it('auth-refused: a token the server no longer takes (mint a fresh one)', () => {
    const refused = new MailAuthError('IMAP_AUTH_FAILED', 'refused', { retriable: true });
    expect(classifyMailboxFailure(refused)).toBe('auth-refused');
  });

  it('throttled: too many connections or rate limits, wherever the text hides', () => {
    const dovecot = new MailAuthError('IMAP_AUTH_FAILED', 'refused', {
      retriable: true,
      details: {
        serverErrorDescription:
          '[UNAVAILABLE] Maximum number of connections from user+IP exceeded (mail_max_userip_connections=15)',
      },
    });
    expect(classifyMailboxFailure(dovecot)).toBe('throttled');
    const gmail = Object.assign(new Error('Command failed'), {
      responseText: '[THROTTLED] Account exceeded command or bandwidth limits.',
    });
    expect(classifyMailboxFailure(gmail)).toBe('throttled');
    expect(classifyMailboxFailure(new Error('[ALERT] Too many simultaneous connections.'))).toBe(
      'throttled',
    );
  });

  it('transient: anything else (network, server restart)', () => {
    expect(
      classifyMailboxFailure(Object.assign(new Error('closed'), { code: 'NoConnection' })),
    ).toBe('transient');
    const down = new MailAuthError('IMAP_UNAVAILABLE', 'down', { retriable: true });
    expect(classifyMailboxFailure(down)).toBe('transient');
  });
});
