import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';

/**
 * Where access tokens are kept between processes (Redis in the services): a restarted
 * watcher, or the one taking over a shard, logs in with the tokens already minted instead
 * of minting one per mailbox again (an RS256 signature and a request to Google each, and
 * Google's token quota). Values are sealed (see TokenSeal): the store never sees a token.
 */
export interface SharedTokenCache {
  get(key: string): Promise<string | null>;
  /** Kept `ttlMs`, then gone. */
  set(key: string, value: string, ttlMs: number): Promise<void>;
  delete(key: string): Promise<void>;
}

export interface SealedToken {
  readonly accessToken: string;
  /** Epoch ms. */
  readonly expiresAt: number;
  /** Epoch ms. */
  readonly mintedAt: number;
}

const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * Seals one service account's tokens with AES-256-GCM under a key derived (HKDF-SHA256) from
 * its private key: whoever reads the store without the key file learns nothing, and anyone
 * holding the key file could mint tokens anyway. The entry's key names neither the user nor
 * the account in clear, and is bound to the sealed value (a value moved to another entry does
 * not open).
 */
export class TokenSeal {
  readonly #key: Buffer;
  readonly #account: string;

  constructor(privateKeyPem: string, account: { clientEmail: string; privateKeyId: string }) {
    this.#account = `${account.clientEmail}\n${account.privateKeyId}`;
    this.#key = Buffer.from(
      hkdfSync('sha256', privateKeyPem, 'vmsync access-token cache v1', this.#account, 32),
    );
  }

  /** The store's key for a user's token with these scopes. */
  entryKey(subject: string, scopes: readonly string[]): string {
    return createHash('sha256')
      .update(`${this.#account}\n${scopes.join(' ')}\n${subject}`)
      .digest('base64url');
  }

  seal(entryKey: string, token: SealedToken): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv);
    cipher.setAAD(Buffer.from(entryKey));
    const body = Buffer.concat([cipher.update(JSON.stringify(token), 'utf8'), cipher.final()]);
    return Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64url');
  }

  /** The token, or undefined when the value was not sealed by this key for this entry. */
  open(entryKey: string, sealed: string): SealedToken | undefined {
    try {
      const bytes = Buffer.from(sealed, 'base64url');
      if (bytes.length <= IV_BYTES + TAG_BYTES) return undefined;
      const decipher = createDecipheriv('aes-256-gcm', this.#key, bytes.subarray(0, IV_BYTES));
      decipher.setAAD(Buffer.from(entryKey));
      decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
      const text = Buffer.concat([
        decipher.update(bytes.subarray(IV_BYTES, bytes.length - TAG_BYTES)),
        decipher.final(),
      ]).toString('utf8');
      const token = JSON.parse(text) as Partial<SealedToken>;
      if (
        typeof token.accessToken !== 'string' ||
        typeof token.expiresAt !== 'number' ||
        typeof token.mintedAt !== 'number'
      ) {
        return undefined;
      }
      return {
        accessToken: token.accessToken,
        expiresAt: token.expiresAt,
        mintedAt: token.mintedAt,
      };
    } catch {
      return undefined;
    }
  }

  toString(): string {
    return 'TokenSeal';
  }

  toJSON(): object {
    return {};
  }
}
