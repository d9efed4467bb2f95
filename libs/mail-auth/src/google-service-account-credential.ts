import { inspect } from 'node:util';
import { gaxios, JWT } from 'google-auth-library';
import { explainGoogleAuthError, MAIL_SCOPE } from './explain-google-auth-error.js';
import {
  parseServiceAccountKey,
  readServiceAccountKeyFile,
  type ServiceAccountKey,
} from './service-account-key.js';
import { type SealedToken, type SharedTokenCache, TokenSeal } from './shared-token-cache.js';

/** The URL google-auth-library 10.x always posts to; it ignores the key file's token_uri. */
const GOOGLE_TOKEN_URL = 'https://oauth2.googleapis.com/token';

export interface GoogleServiceAccountCredentialOptions {
  /** Where to mint tokens; default Google's. The stack's stand-in for tests. */
  readonly tokenUrl?: string;
  /** Default `https://mail.google.com/`, the scope Gmail IMAP needs. */
  readonly scopes?: readonly string[];
  /** Refresh a cached token this long before it expires. Default 5 min. */
  readonly refreshMarginMs?: number;
  /** Per token request. Default 30 s. */
  readonly requestTimeoutMs?: number;
  /** Epoch ms; tests move it to see tokens refresh. */
  readonly now?: () => number;
  /**
   * Tokens shared between processes (sealed with this key): looked up before minting, and
   * every minted token put there. A cache that fails is passed over, never an error.
   */
  readonly sharedCache?: SharedTokenCache;
}

export interface AccessToken {
  readonly accessToken: string;
  /** Epoch ms. */
  readonly expiresAt: number;
}

/**
 * A Google service account with domain-wide delegation, minting Gmail access tokens for the
 * users of its domain (the JWT-bearer grant, `sub` = the user). Tokens are cached per user
 * and refreshed before they expire; concurrent callers for one user share one request.
 * The private key never leaves this object: not in errors, logs, toString or JSON.
 */
export class GoogleServiceAccountCredential {
  readonly clientEmail: string;
  readonly clientId: string;
  readonly privateKeyId: string;
  readonly projectId: string;
  readonly scopes: readonly string[];
  readonly tokenUrl: string;
  readonly #privateKey: string;
  readonly #transporter: gaxios.Gaxios;
  readonly #marginMs: number;
  readonly #now: () => number;
  readonly #cache = new Map<string, Minted>();
  readonly #pending = new Map<string, Promise<AccessToken>>();
  readonly #shared: { cache: SharedTokenCache; seal: TokenSeal } | undefined;
  /** Users whose token was refused: the next one is minted, whatever the shared cache holds. */
  readonly #refused = new Set<string>();

  constructor(key: ServiceAccountKey, options: GoogleServiceAccountCredentialOptions = {}) {
    this.clientEmail = key.client_email;
    this.clientId = key.client_id;
    this.privateKeyId = key.private_key_id;
    this.projectId = key.project_id;
    this.#privateKey = key.private_key;
    this.scopes = options.scopes ?? [MAIL_SCOPE];
    this.tokenUrl = options.tokenUrl ?? GOOGLE_TOKEN_URL;
    this.#marginMs = options.refreshMarginMs ?? 5 * 60_000;
    this.#now = options.now ?? Date.now;
    this.#transporter = tokenTransporter(this.tokenUrl, options.requestTimeoutMs ?? 30_000);
    this.#shared =
      options.sharedCache === undefined
        ? undefined
        : {
            cache: options.sharedCache,
            seal: new TokenSeal(key.private_key, {
              clientEmail: key.client_email,
              privateKeyId: key.private_key_id,
            }),
          };
  }

  /** Reads and validates a key file (KEY_FILE_INVALID names the field that is wrong). */
  static async fromFile(
    path: string,
    options?: GoogleServiceAccountCredentialOptions,
  ): Promise<GoogleServiceAccountCredential> {
    return new GoogleServiceAccountCredential(await readServiceAccountKeyFile(path), options);
  }

  /** From an already parsed key file (e.g. a secret given as JSON). */
  static fromJson(
    json: unknown,
    options?: GoogleServiceAccountCredentialOptions,
  ): GoogleServiceAccountCredential {
    return new GoogleServiceAccountCredential(parseServiceAccountKey(json, 'JSON'), options);
  }

  /** An access token for `subject` (the mailbox's user), from cache while it has time left. */
  async accessToken(subject: string): Promise<string> {
    return (await this.token(subject)).accessToken;
  }

  /** Like accessToken, with the expiry. Throws MailAuthError (see explainGoogleAuthError). */
  async token(subject: string): Promise<AccessToken> {
    const cached = this.#cache.get(subject);
    if (cached !== undefined && !this.#due(cached)) return publicView(cached);
    const pending = this.#pending.get(subject);
    if (pending !== undefined) return pending;
    const request = this.#obtain(subject).finally(() => this.#pending.delete(subject));
    this.#pending.set(subject, request);
    return request;
  }

  /** Drops a cached token, here and in the shared cache, e.g. after the IMAP server refused it. */
  invalidate(subject: string): void {
    this.#cache.delete(subject);
    if (this.#shared === undefined) return;
    this.#refused.add(subject);
    const { cache, seal } = this.#shared;
    cache.delete(seal.entryKey(subject, this.scopes)).catch(() => undefined);
  }

  toString(): string {
    return `GoogleServiceAccountCredential(${this.clientEmail}, key ${this.privateKeyId})`;
  }

  toJSON(): object {
    return {
      clientEmail: this.clientEmail,
      clientId: this.clientId,
      privateKeyId: this.privateKeyId,
      projectId: this.projectId,
      scopes: this.scopes,
      tokenUrl: this.tokenUrl,
    };
  }

  [inspect.custom](): string {
    return this.toString();
  }

  #due(token: Minted): boolean {
    // A short (test) lifetime must not make every call refresh: cap the margin at half of it.
    const margin = Math.min(this.#marginMs, (token.expiresAt - token.mintedAt) / 2);
    return token.expiresAt - this.#now() <= margin;
  }

  /** From the shared cache while it has time left there, else minted (and shared). */
  async #obtain(subject: string): Promise<AccessToken> {
    const shared = this.#shared;
    if (shared === undefined) return publicView(await this.#mint(subject));
    const entry = shared.seal.entryKey(subject, this.scopes);
    if (!this.#refused.has(subject)) {
      const sealed = await shared.cache.get(entry).catch(() => null);
      const found = sealed === null ? undefined : shared.seal.open(entry, sealed);
      if (found !== undefined && !this.#due(found)) {
        this.#cache.set(subject, found);
        return publicView(found);
      }
    }
    const minted = await this.#mint(subject);
    this.#refused.delete(subject);
    const ttlMs = minted.expiresAt - this.#now();
    if (ttlMs > 0) {
      await shared.cache.set(entry, shared.seal.seal(entry, minted), ttlMs).catch(() => undefined);
    }
    return publicView(minted);
  }

  async #mint(subject: string): Promise<Minted> {
    const client = new JWT({
      email: this.clientEmail,
      key: this.#privateKey,
      keyId: this.privateKeyId,
      scopes: [...this.scopes],
      subject,
      transporter: this.#transporter,
    });
    const mintedAt = this.#now();
    try {
      const credentials = await client.authorize();
      if (!credentials.access_token) throw new Error('the token endpoint returned no access_token');
      // The library stamps expiry_date on the real clock; carry the lifetime over to ours.
      const lifetimeMs = (credentials.expiry_date ?? Date.now() + 3_600_000) - Date.now();
      const token: Minted = {
        accessToken: credentials.access_token,
        expiresAt: this.#now() + lifetimeMs,
        mintedAt,
      };
      this.#cache.set(subject, token);
      return token;
    } catch (error) {
      throw explainGoogleAuthError(error, {
        clientId: this.clientId,
        clientEmail: this.clientEmail,
        privateKeyId: this.privateKeyId,
        subject,
        scopes: this.scopes,
      });
    }
  }
}

type Minted = SealedToken;

const publicView = (t: Minted): AccessToken => ({
  accessToken: t.accessToken,
  expiresAt: t.expiresAt,
});

/**
 * google-auth-library 10.x posts to a hard-coded Google URL. A transporter whose request
 * interceptor rewrites that URL points it at `tokenUrl` (the stack's stand-in, or a proxy).
 */
function tokenTransporter(tokenUrl: string, timeoutMs: number): gaxios.Gaxios {
  const transporter = new gaxios.Gaxios({ timeout: timeoutMs });
  if (tokenUrl === GOOGLE_TOKEN_URL) return transporter;
  const target = new URL(tokenUrl);
  transporter.interceptors.request.add({
    resolved: async (options) => {
      if (options.url.toString() !== GOOGLE_TOKEN_URL) return options;
      options.url = new URL(target);
      // An agent chosen for Google's URL (an HTTPS_PROXY) must not carry a loopback request.
      if (['127.0.0.1', 'localhost', '[::1]'].includes(target.hostname)) delete options.agent;
      return options;
    },
  });
  return transporter;
}
