import { randomBytes } from 'node:crypto';
import { MAIL_SCOPES } from './google-responses.js';

interface IssuedToken {
  readonly email: string;
  readonly clientId: string;
  readonly scopes: readonly string[];
  /** Epoch seconds. */
  readonly exp: number;
}

export type Introspection =
  | { readonly active: false }
  | {
      readonly active: true;
      readonly email: string;
      readonly scope: string;
      readonly exp: number;
      readonly client_id: string;
    };

/**
 * The access tokens this endpoint handed out, in memory. The clock is passed in, so the
 * expiry rules are testable without waiting.
 */
export class AccessTokenStore {
  readonly #tokens = new Map<string, IssuedToken>();
  #nextPrune = 0;

  issue(
    grant: { email: string; clientId: string; scopes: readonly string[] },
    nowSeconds: number,
    lifetimeSeconds: number,
  ): { access_token: string; expires_in: number; token_type: 'Bearer' } {
    this.#prune(nowSeconds);
    // Google's tokens start with `ya29.`; clients and log scrubbers key on it.
    const token = `ya29.${randomBytes(32).toString('base64url')}`;
    this.#tokens.set(token, { ...grant, exp: nowSeconds + lifetimeSeconds });
    // Google reports one second less than the lifetime (3599 for an hour).
    return {
      access_token: token,
      expires_in: Math.max(lifetimeSeconds - 1, 1),
      token_type: 'Bearer',
    };
  }

  /**
   * What Gmail's IMAP front end knows of a token: active while unexpired and carrying a
   * mail scope (a token for another API does not open IMAP).
   */
  introspect(token: string, nowSeconds: number): Introspection {
    const issued = this.#tokens.get(token);
    if (issued === undefined || issued.exp <= nowSeconds) return { active: false };
    if (!issued.scopes.some((s) => MAIL_SCOPES.includes(s))) return { active: false };
    return {
      active: true,
      email: issued.email,
      scope: issued.scopes.join(' '),
      exp: issued.exp,
      client_id: issued.clientId,
    };
  }

  get size(): number {
    return this.#tokens.size;
  }

  #prune(nowSeconds: number): void {
    if (nowSeconds < this.#nextPrune) return;
    this.#nextPrune = nowSeconds + 60;
    for (const [token, issued] of this.#tokens)
      if (issued.exp <= nowSeconds) this.#tokens.delete(token);
  }
}
