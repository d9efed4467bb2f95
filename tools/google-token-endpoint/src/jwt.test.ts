import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decodeJwt, signRs256, verifyRs256 } from './jwt.js';

const keys = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  publicKeyEncoding: { type: 'spki', format: 'pem' },
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
});
const other = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  publicKeyEncoding: { type: 'spki', format: 'pem' },
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
});
const claims = { iss: 'a@b.iam.gserviceaccount.com', aud: 'x', iat: 1, exp: 2 };

describe('decodeJwt / verifyRs256', () => {
  it('decodes and verifies what signRs256 produced, with or without kid', () => {
    for (const kid of [undefined, 'key-1']) {
      const jwt = decodeJwt(signRs256(claims, keys.privateKey, kid));
      expect(jwt?.claims).toMatchObject(claims);
      expect(jwt?.header.kid).toBe(kid);
      expect(jwt && verifyRs256(jwt, keys.publicKey)).toBe(true);
    }
  });

  it('refuses a signature by another key', () => {
    const jwt = decodeJwt(signRs256(claims, other.privateKey));
    expect(jwt && verifyRs256(jwt, keys.publicKey)).toBe(false);
  });

  it('refuses a tampered payload', () => {
    const [h, , s] = signRs256(claims, keys.privateKey).split('.');
    const forged = Buffer.from(JSON.stringify({ ...claims, iss: 'evil@x.test' })).toString(
      'base64url',
    );
    const jwt = decodeJwt(`${h}.${forged}.${s}`);
    expect(jwt && verifyRs256(jwt, keys.publicKey)).toBe(false);
  });

  it('refuses alg other than RS256 (no "none", no HS256 with the public key)', () => {
    const [, p, s] = signRs256(claims, keys.privateKey).split('.');
    const none = Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url');
    const jwt = decodeJwt(`${none}.${p}.${s}`);
    expect(jwt && verifyRs256(jwt, keys.publicKey)).toBe(false);
  });

  it.each([
    'not-a-jwt',
    'a.b',
    'a.b.c.d',
    `${Buffer.from('{}').toString('base64url')}.${Buffer.from('{}').toString('base64url')}.AA`,
    `e30.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.`,
  ])('returns undefined for malformed input %s', (token) => {
    expect(decodeJwt(token)).toBeUndefined();
  });
});
