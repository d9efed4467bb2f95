import { generateKeyPairSync } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GoogleServiceAccountCredential } from './google-service-account-credential.js';
import type { SharedTokenCache } from './shared-token-cache.js';

const { privateKey } = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  publicKeyEncoding: { type: 'spki', format: 'pem' },
});
const key = {
  type: 'service_account',
  project_id: 'proj',
  private_key_id: 'a1b2c3',
  private_key: privateKey,
  client_email: 'sync@proj.iam.gserviceaccount.com',
  client_id: '112233445566778899001',
};

/** A local HTTP server answering like Google's token endpoint (no signature check). */
const requests: { path: string; sub: string; scope: string; kid?: string }[] = [];
let answer: 'token' | 'unauthorized' = 'token';
let counter = 0;
const server: Server = createServer((req, res) => {
  let body = '';
  req.on('data', (c: Buffer) => {
    body += c.toString();
  });
  req.on('end', () => {
    const assertion = new URLSearchParams(body).get('assertion') ?? '';
    const [h, p] = assertion.split('.');
    const header = JSON.parse(Buffer.from(h ?? '', 'base64url').toString()) as { kid?: string };
    const claims = JSON.parse(Buffer.from(p ?? '', 'base64url').toString()) as {
      sub: string;
      scope: string;
    };
    requests.push({
      path: req.url ?? '',
      sub: claims.sub,
      scope: claims.scope,
      ...(header.kid ? { kid: header.kid } : {}),
    });
    res.setHeader('content-type', 'application/json');
    if (answer === 'unauthorized') {
      res.statusCode = 401;
      res.end(
        JSON.stringify({
          error: 'unauthorized_client',
          error_description:
            'Client is unauthorized to retrieve access tokens using this method, or client not authorized for any of the scopes requested.',
        }),
      );
      return;
    }
    counter += 1;
    setTimeout(
      () =>
        res.end(
          JSON.stringify({
            access_token: `ya29.t${counter}-${claims.sub}`,
            expires_in: 3599,
            token_type: 'Bearer',
          }),
        ),
      20,
    );
  });
});
let tokenUrl = '';
beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  tokenUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/token`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('GoogleServiceAccountCredential', () => {
  it('posts the JWT-bearer grant to the configured URL, with sub and the mail scope', async () => {
    requests.length = 0;
    const credential = GoogleServiceAccountCredential.fromJson(key, { tokenUrl });
    expect(await credential.accessToken('user1@example.test')).toMatch(
      /^ya29\.t\d+-user1@example\.test$/,
    );
    expect(requests).toEqual([
      { path: '/token', sub: 'user1@example.test', scope: 'https://mail.google.com/' },
    ]);
  });

  it('caches per subject and shares one request between concurrent callers', async () => {
    requests.length = 0;
    const credential = GoogleServiceAccountCredential.fromJson(key, { tokenUrl });
    const [a, b] = await Promise.all([
      credential.accessToken('a@example.test'),
      credential.accessToken('a@example.test'),
    ]);
    expect(a).toBe(b);
    expect(await credential.accessToken('a@example.test')).toBe(a);
    expect(await credential.accessToken('b@example.test')).not.toBe(a);
    expect(requests.map((r) => r.sub)).toEqual(['a@example.test', 'b@example.test']);
  });

  it('refreshes within the margin before expiry, and after invalidate', async () => {
    requests.length = 0;
    let offset = 0;
    const credential = GoogleServiceAccountCredential.fromJson(key, {
      tokenUrl,
      now: () => Date.now() + offset,
    });
    const first = await credential.token('c@example.test');
    expect(first.expiresAt - Date.now()).toBeGreaterThan(3_590_000);
    offset = 3_599_000 - 6 * 60_000; // 6 min left: still good
    expect(await credential.accessToken('c@example.test')).toBe(first.accessToken);
    offset = 3_599_000 - 4 * 60_000; // 4 min left: inside the 5 min margin
    const second = await credential.accessToken('c@example.test');
    expect(second).not.toBe(first.accessToken);
    credential.invalidate('c@example.test');
    expect(await credential.accessToken('c@example.test')).not.toBe(second);
    expect(requests).toHaveLength(3);
  });

  it('throws DELEGATION_MISSING naming the client id and scope', async () => {
    answer = 'unauthorized';
    try {
      const credential = GoogleServiceAccountCredential.fromJson(key, { tokenUrl });
      const error = await credential.accessToken('d@example.test').catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'DELEGATION_MISSING', retriable: false });
      expect((error as Error).message).toContain(
        'client ID 112233445566778899001 with scope https://mail.google.com/',
      );
      expect((error as Error).message).not.toContain('PRIVATE KEY');
    } finally {
      answer = 'token';
    }
  });

  it('reports TOKEN_ENDPOINT_UNAVAILABLE (retriable) when nothing listens at the URL', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const credential = GoogleServiceAccountCredential.fromJson(key, {
      tokenUrl: `http://127.0.0.1:${port}/token`,
    });
    const error = await credential.accessToken('e@example.test').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'TOKEN_ENDPOINT_UNAVAILABLE', retriable: true });
  });

  describe('with a shared token cache (another process, a restart)', () => {
    /** A store like Redis: values with a time to live. */
    const memoryCache = () => {
      const entries = new Map<string, { value: string; ttlMs: number }>();
      const cache: SharedTokenCache = {
        get: async (k) => entries.get(k)?.value ?? null,
        set: async (k, value, ttlMs) => {
          entries.set(k, { value, ttlMs });
        },
        delete: async (k) => {
          entries.delete(k);
        },
      };
      return { cache, entries };
    };

    it('logs in with the token another process minted, which the store holds only sealed', async () => {
      requests.length = 0;
      const { cache, entries } = memoryCache();
      const first = GoogleServiceAccountCredential.fromJson(key, { tokenUrl, sharedCache: cache });
      const token = await first.accessToken('f@example.test');
      const second = GoogleServiceAccountCredential.fromJson(key, { tokenUrl, sharedCache: cache });
      expect(await second.accessToken('f@example.test')).toBe(token);
      expect(requests.map((r) => r.sub)).toEqual(['f@example.test']);
      expect(entries.size).toBe(1);
      const [entryKey, entry] = [...entries][0] as [string, { value: string; ttlMs: number }];
      expect(entry.value).not.toContain(token);
      expect(entry.value).not.toContain('ya29');
      expect(entryKey).not.toContain('f@example.test');
      // Kept as long as the token lives.
      expect(entry.ttlMs).toBeGreaterThan(3_590_000);
      expect(entry.ttlMs).toBeLessThanOrEqual(3_599_000);
    });

    it("does not open another key's tokens, nor a value moved to another user's entry", async () => {
      requests.length = 0;
      const { cache, entries } = memoryCache();
      const mine = GoogleServiceAccountCredential.fromJson(key, { tokenUrl, sharedCache: cache });
      const gTokenOfMine = await mine.accessToken('g@example.test');
      const other = GoogleServiceAccountCredential.fromJson(
        {
          ...key,
          private_key: generateKeyPairSync('rsa', {
            modulusLength: 2048,
            privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
            publicKeyEncoding: { type: 'spki', format: 'pem' },
          }).privateKey,
        },
        { tokenUrl, sharedCache: cache },
      );
      // Same client and key id, another private key: its own entry, its own token.
      expect(await other.accessToken('g@example.test')).not.toBe(gTokenOfMine);
      expect(requests).toHaveLength(2);
      // g's sealed token copied into h's entry is not h's token.
      await mine.accessToken('h@example.test');
      const byUser = [...entries.keys()];
      const gValue = entries.get(byUser[0] as string)?.value as string;
      const hKey = byUser[2] as string;
      entries.set(hKey, { value: gValue, ttlMs: 1 });
      const fresh = GoogleServiceAccountCredential.fromJson(key, { tokenUrl, sharedCache: cache });
      expect(await fresh.accessToken('h@example.test')).toMatch(/-h@example\.test$/);
    });

    it('mints anew after invalidate, and the refused token leaves the shared cache too', async () => {
      requests.length = 0;
      const { cache } = memoryCache();
      const a = GoogleServiceAccountCredential.fromJson(key, { tokenUrl, sharedCache: cache });
      const refused = await a.accessToken('i@example.test');
      a.invalidate('i@example.test');
      const next = await a.accessToken('i@example.test');
      expect(next).not.toBe(refused);
      const b = GoogleServiceAccountCredential.fromJson(key, { tokenUrl, sharedCache: cache });
      expect(await b.accessToken('i@example.test')).toBe(next);
      expect(requests).toHaveLength(2);
    });

    it('passes over a cache that fails or holds garbage, and one that is due', async () => {
      requests.length = 0;
      const broken: SharedTokenCache = {
        get: () => Promise.reject(new Error('ECONNREFUSED')),
        set: () => Promise.reject(new Error('ECONNREFUSED')),
        delete: () => Promise.reject(new Error('ECONNREFUSED')),
      };
      const a = GoogleServiceAccountCredential.fromJson(key, { tokenUrl, sharedCache: broken });
      expect(await a.accessToken('j@example.test')).toMatch(/-j@example\.test$/);
      a.invalidate('j@example.test');

      const { cache, entries } = memoryCache();
      const b = GoogleServiceAccountCredential.fromJson(key, { tokenUrl, sharedCache: cache });
      await b.accessToken('k@example.test');
      const [entryKey] = [...entries.keys()];
      entries.set(entryKey as string, { value: 'not sealed', ttlMs: 1 });
      const c = GoogleServiceAccountCredential.fromJson(key, { tokenUrl, sharedCache: cache });
      const fromC = await c.accessToken('k@example.test');

      // A token with 4 min left is inside the 5 min margin: a new one is minted.
      const d = GoogleServiceAccountCredential.fromJson(key, {
        tokenUrl,
        sharedCache: cache,
        now: () => Date.now() + 3_599_000 - 4 * 60_000,
      });
      expect(await d.accessToken('k@example.test')).not.toBe(fromC);
      expect(requests).toHaveLength(4);
    });
  });
});
