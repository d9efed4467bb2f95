import { describe, expect, it } from 'vitest';
import {
  constantTimeEqual,
  cookieOf,
  LoginThrottle,
  Sessions,
  sameOrigin,
  sessionCookie,
} from './admin-auth.js';

describe('admin page sign-in and CSRF checks', () => {
  it('compares passwords of any length without throwing', () => {
    expect(constantTimeEqual('secret', 'secret')).toBe(true);
    expect(constantTimeEqual('secret', 'secreT')).toBe(false);
    expect(constantTimeEqual('secret', 'a much longer guess')).toBe(false);
    expect(constantTimeEqual('', 'x')).toBe(false);
  });

  it('sessions expire and end; ids and CSRF tokens are random', () => {
    let now = 0;
    const sessions = new Sessions(1000, () => now);
    const a = sessions.create();
    const b = sessions.create();
    expect(a.id).not.toBe(b.id);
    expect(a.session.csrf).not.toBe(b.session.csrf);
    expect(sessions.get(a.id)).toBe(a.session);
    sessions.end(a.id);
    expect(sessions.get(a.id)).toBeUndefined();
    now = 1000;
    expect(sessions.get(b.id)).toBeUndefined();
    expect(sessions.get(undefined)).toBeUndefined();
  });

  it('the cookie is HttpOnly and SameSite=Strict, and is read back by name', () => {
    const c = sessionCookie('abc', false, 60);
    expect(c).toContain('HttpOnly');
    expect(c).toContain('SameSite=Strict');
    expect(c).not.toContain('Secure');
    expect(sessionCookie('abc', true, 60)).toContain('; Secure');
    expect(cookieOf('x=1; vmsync_admin=abc; y=2', 'vmsync_admin')).toBe('abc');
    expect(cookieOf(undefined, 'vmsync_admin')).toBeUndefined();
  });

  it('accepts only requests whose Origin (else Referer) is the page itself', () => {
    const own = 'http://127.0.0.1:8470';
    expect(sameOrigin(own, { origin: own })).toBe(true);
    expect(sameOrigin(own, { origin: 'http://evil.test' })).toBe(false);
    expect(sameOrigin(own, { origin: 'null' })).toBe(false);
    expect(sameOrigin(own, { referer: `${own}/domains` })).toBe(true);
    expect(sameOrigin(own, { referer: 'http://127.0.0.1:8471/' })).toBe(false);
    expect(sameOrigin(own, {})).toBe(false);
  });

  it('refuses sign-in after too many wrong passwords, until the window passes', () => {
    let now = 0;
    const throttle = new LoginThrottle(3, 1000, () => now);
    for (let i = 0; i < 3; i++) {
      expect(throttle.blocked()).toBe(false);
      throttle.failed();
    }
    expect(throttle.blocked()).toBe(true);
    now = 1001;
    expect(throttle.blocked()).toBe(false);
  });
});
