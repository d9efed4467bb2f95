import { createPublicKey, createSign, createVerify, type KeyObject } from 'node:crypto';
import { z } from 'zod';

/** The claims Google reads from a service-account assertion. */
export const AssertionClaims = z.object({
  iss: z.string().min(1),
  aud: z.union([z.string(), z.array(z.string())]),
  iat: z.number(),
  exp: z.number(),
  scope: z.string().optional(),
  sub: z.string().optional(),
});
export type AssertionClaims = z.infer<typeof AssertionClaims>;

export const JwtHeader = z.object({ alg: z.string(), kid: z.string().optional() });
export type JwtHeader = z.infer<typeof JwtHeader>;

export interface DecodedJwt {
  readonly header: JwtHeader;
  readonly claims: AssertionClaims;
  /** `base64url(header).base64url(payload)`: the bytes the signature covers. */
  readonly signingInput: string;
  readonly signature: Buffer;
}

const BASE64URL = /^[A-Za-z0-9_-]*$/;

function decodePart(part: string): unknown {
  if (!BASE64URL.test(part)) return undefined;
  try {
    return JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
}

/** Splits and parses a compact JWS; undefined when it is not a well-formed assertion. */
export function decodeJwt(token: string): DecodedJwt | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  const [h, p, s] = parts as [string, string, string];
  const header = JwtHeader.safeParse(decodePart(h));
  const claims = AssertionClaims.safeParse(decodePart(p));
  if (!header.success || !claims.success || !BASE64URL.test(s) || s === '') return undefined;
  return {
    header: header.data,
    claims: claims.data,
    signingInput: `${h}.${p}`,
    signature: Buffer.from(s, 'base64url'),
  };
}

/** True when the JWT is RS256 and signed by the private half of `publicKey`. */
export function verifyRs256(jwt: DecodedJwt, publicKey: KeyObject | string): boolean {
  if (jwt.header.alg !== 'RS256') return false;
  const key = typeof publicKey === 'string' ? createPublicKey(publicKey) : publicKey;
  return createVerify('RSA-SHA256').update(jwt.signingInput).verify(key, jwt.signature);
}

/** Signs claims as an RS256 JWT, as google-auth-library does. For tests and tools. */
export function signRs256(
  claims: Record<string, unknown>,
  privateKeyPem: string,
  kid?: string,
): string {
  const header =
    kid === undefined ? { alg: 'RS256', typ: 'JWT' } : { alg: 'RS256', typ: 'JWT', kid };
  const input = `${b64(header)}.${b64(claims)}`;
  const signature = createSign('RSA-SHA256').update(input).sign(privateKeyPem);
  return `${input}.${signature.toString('base64url')}`;
}

function b64(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}
