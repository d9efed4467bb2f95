import { describe, expect, it } from 'vitest';
import { TokenErrors } from './google-responses.js';
import { decideGrant } from './grant.js';
import { signRs256 } from './jwt.js';
import { fixtures } from './test-fixtures.js';

const now = 1_800_000_000;
const f = fixtures(now);
const sign = (over: Record<string, unknown> = {}, key = f.delegated.privateKey, kid?: string) =>
  signRs256(f.claims(over), key, kid);

describe('decideGrant', () => {
  it('grants a delegated mail scope for a user of the delegated domain', () => {
    expect(decideGrant(f.directory, sign(), now)).toEqual({
      kind: 'granted',
      email: 'user1@example.test',
      clientId: f.delegated.clientId,
      scopes: ['https://mail.google.com/'],
    });
  });

  it('accepts a matching kid, and no kid (google-auth-library sends none)', () => {
    expect(decideGrant(f.directory, sign({}, f.delegated.privateKey, 'k1'), now).kind).toBe(
      'granted',
    );
    expect(decideGrant(f.directory, sign({}, f.delegated.privateKey), now).kind).toBe('granted');
  });

  it('refuses a key that is not registered (deleted) with "Invalid JWT Signature."', () => {
    expect(decideGrant(f.directory, sign({}, f.deleted.privateKey, 'k3'), now)).toEqual({
      kind: 'refused',
      reason: TokenErrors.invalidSignature,
    });
    expect(decideGrant(f.directory, sign({}, f.deleted.privateKey), now)).toMatchObject({
      reason: { error: 'invalid_grant', error_description: 'Invalid JWT Signature.' },
    });
  });

  it('refuses a kid of the account signed with another key', () => {
    expect(decideGrant(f.directory, sign({}, f.undelegated.privateKey, 'k1'), now)).toMatchObject({
      reason: TokenErrors.invalidSignature,
    });
  });

  it('refuses an unknown issuer', () => {
    expect(
      decideGrant(f.directory, sign({ iss: 'gone@x.iam.gserviceaccount.com' }), now),
    ).toMatchObject({
      reason: TokenErrors.unknownAccount,
    });
  });

  it('refuses a wrong audience', () => {
    expect(
      decideGrant(f.directory, sign({ aud: 'https://example.test/token' }), now),
    ).toMatchObject({
      reason: TokenErrors.wrongAudience,
    });
  });

  it.each([
    ['lifetime over an hour', { exp: now + 3601 }],
    ['issued in the future beyond the skew', { iat: now + 120, exp: now + 1000 }],
    ['already expired', { iat: now - 4000, exp: now - 400 }],
    ['exp before iat', { iat: now, exp: now - 1 }],
  ])('refuses %s as not short-lived', (_name, over) => {
    expect(decideGrant(f.directory, sign(over), now)).toMatchObject({
      reason: {
        status: 400,
        error: 'invalid_grant',
        error_description:
          'Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim.',
      },
    });
  });

  it('tolerates a small skew', () => {
    expect(decideGrant(f.directory, sign({ iat: now + 30, exp: now + 3630 }), now).kind).toBe(
      'granted',
    );
  });

  it('refuses an empty scope with invalid_scope', () => {
    expect(decideGrant(f.directory, sign({ scope: ' ' }), now)).toMatchObject({
      reason: TokenErrors.invalidScope,
    });
  });

  it('refuses an unknown user with "Invalid email or User ID"', () => {
    expect(decideGrant(f.directory, sign({ sub: 'nobody@example.test' }), now)).toMatchObject({
      reason: {
        status: 400,
        error: 'invalid_grant',
        error_description: 'Invalid email or User ID',
      },
    });
  });

  it('refuses with unauthorized_client (401) when delegation is missing', () => {
    const undelegated = signRs256(f.claims({ iss: f.undelegated.email }), f.undelegated.privateKey);
    const otherDomain = sign({ sub: 'outsider@other.test' });
    const otherScope = sign({
      scope: 'https://mail.google.com/ https://www.googleapis.com/auth/gmail.imap_admin',
    });
    for (const assertion of [undelegated, otherDomain, otherScope]) {
      expect(decideGrant(f.directory, assertion, now)).toMatchObject({
        reason: { status: 401, error: 'unauthorized_client' },
      });
    }
  });

  it('grants the service account its own token when there is no sub', () => {
    const { sub: _sub, ...claims } = f.claims();
    expect(decideGrant(f.directory, signRs256(claims, f.delegated.privateKey), now)).toMatchObject({
      kind: 'granted',
      email: f.delegated.email,
    });
  });

  it('refuses garbage', () => {
    expect(decideGrant(f.directory, 'garbage', now)).toMatchObject({
      reason: TokenErrors.malformed,
    });
  });
});
