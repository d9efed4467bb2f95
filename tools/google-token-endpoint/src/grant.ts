import type { Directory } from './config.js';
import { GOOGLE_TOKEN_URL, type TokenError, TokenErrors } from './google-responses.js';
import { decodeJwt, verifyRs256 } from './jwt.js';

export type GrantDecision =
  | {
      readonly kind: 'granted';
      /** The mailbox the token opens: `sub`, or the service account itself without one. */
      readonly email: string;
      readonly clientId: string;
      readonly scopes: readonly string[];
    }
  | { readonly kind: 'refused'; readonly reason: TokenError };

const refused = (reason: TokenError): GrantDecision => ({ kind: 'refused', reason });

/**
 * Google's decision on a service-account JWT-bearer assertion (no I/O, no clock read:
 * `nowSeconds` is given). Checks in the order that makes each failure name its cause:
 * form, issuer, signature, audience, lifetime, scope, user, delegation.
 */
export function decideGrant(dir: Directory, assertion: string, nowSeconds: number): GrantDecision {
  const jwt = decodeJwt(assertion);
  if (jwt === undefined) return refused(TokenErrors.malformed);
  const { header, claims } = jwt;

  const account = dir.accounts.get(claims.iss.toLowerCase());
  if (account === undefined) return refused(TokenErrors.unknownAccount);

  // google-auth-library 10.x sends no `kid`; Google then tries each of the account's keys.
  const candidates =
    header.kid === undefined
      ? [...account.keys.values()]
      : [account.keys.get(header.kid)].filter((k) => k !== undefined);
  if (!candidates.some((key) => verifyRs256(jwt, key))) {
    return refused(TokenErrors.invalidSignature);
  }

  const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (!audiences.includes(GOOGLE_TOKEN_URL)) return refused(TokenErrors.wrongAudience);

  const skew = dir.clockSkewSeconds;
  const lifetimeOk = claims.exp > claims.iat && claims.exp - claims.iat <= 3600;
  const timeframeOk = claims.iat <= nowSeconds + skew && claims.exp >= nowSeconds - skew;
  if (!lifetimeOk || !timeframeOk) return refused(TokenErrors.notShortLived);

  const scopes = (claims.scope ?? '').split(/\s+/).filter((s) => s !== '');
  if (scopes.length === 0) return refused(TokenErrors.invalidScope);

  if (claims.sub === undefined || claims.sub === claims.iss) {
    // No impersonation: a token for the service account itself (no delegation needed).
    return { kind: 'granted', email: claims.iss.toLowerCase(), clientId: account.clientId, scopes };
  }

  const subject = claims.sub.toLowerCase();
  if (!dir.users.has(subject)) return refused(TokenErrors.unknownUser);

  const domain = subject.slice(subject.lastIndexOf('@') + 1);
  const delegated = dir.delegations.get(domain)?.get(account.clientId);
  if (delegated === undefined || !scopes.every((s) => delegated.has(s))) {
    return refused(TokenErrors.unauthorizedClient);
  }
  return { kind: 'granted', email: subject, clientId: account.clientId, scopes };
}
