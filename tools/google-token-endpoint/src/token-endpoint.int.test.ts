import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { GOOGLE_TOKEN_URL, JWT_BEARER_GRANT } from './google-responses.js';
import { signRs256 } from './jwt.js';

const names = [
  'VMSYNC_GOOGLE_TOKEN_URL',
  'VMSYNC_GOOGLE_INTROSPECT_URL',
  'VMSYNC_TEST_SA_KEY',
  'VMSYNC_TEST_SA_KEY_UNDELEGATED',
  'VMSYNC_TEST_SA_KEY_DELETED',
  'VMSYNC_TEST_USERS',
] as const;
const missing = names.filter((n) => !process.env[n]);
if (missing.length > 0) {
  throw new Error(
    `integration env missing: ${missing.join(', ')}. Run: bash scripts/stack/google.sh up && set -a; . .stack/google.env; set +a`,
  );
}
const env = process.env as Record<(typeof names)[number], string>;
const user = env.VMSYNC_TEST_USERS.split(',')[0] ?? '';

interface KeyFile {
  private_key: string;
  private_key_id: string;
  client_email: string;
}
const key = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as KeyFile;

function assertion(k: KeyFile, over: Record<string, unknown> = {}, kid?: string): string {
  const now = Math.floor(Date.now() / 1000);
  return signRs256(
    {
      iss: k.client_email,
      aud: GOOGLE_TOKEN_URL,
      iat: now,
      exp: now + 3600,
      scope: 'https://mail.google.com/',
      sub: user,
      ...over,
    },
    k.private_key,
    kid,
  );
}

async function token(a: string) {
  const res = await fetch(env.VMSYNC_GOOGLE_TOKEN_URL, {
    method: 'POST',
    body: new URLSearchParams({ grant_type: JWT_BEARER_GRANT, assertion: a }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('the running token endpoint (stack)', () => {
  const delegated = key(env.VMSYNC_TEST_SA_KEY);

  it('grants the delegated key, with or without kid, and introspects the token', async () => {
    for (const kid of [undefined, delegated.private_key_id]) {
      const { status, body } = await token(assertion(delegated, {}, kid));
      expect(status).toBe(200);
      expect(body).toMatchObject({ expires_in: 3599, token_type: 'Bearer' });
      const intro = await fetch(env.VMSYNC_GOOGLE_INTROSPECT_URL, {
        method: 'POST',
        body: new URLSearchParams({ token: String(body.access_token) }),
      });
      expect(await intro.json()).toMatchObject({ active: true, email: user });
    }
  });

  it("answers Google's errors for the deleted key, the undelegated account and a skewed clock", async () => {
    expect(await token(assertion(key(env.VMSYNC_TEST_SA_KEY_DELETED)))).toEqual({
      status: 400,
      body: { error: 'invalid_grant', error_description: 'Invalid JWT Signature.' },
    });
    expect(await token(assertion(key(env.VMSYNC_TEST_SA_KEY_UNDELEGATED)))).toMatchObject({
      status: 401,
      body: { error: 'unauthorized_client' },
    });
    const hourAhead = Math.floor(Date.now() / 1000) + 3600;
    expect(
      await token(assertion(delegated, { iat: hourAhead, exp: hourAhead + 3600 })),
    ).toMatchObject({
      status: 400,
      body: {
        error: 'invalid_grant',
        error_description: expect.stringContaining('short-lived token'),
      },
    });
  });
});
