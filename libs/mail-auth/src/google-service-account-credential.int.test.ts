import { describe, expect, it } from 'vitest';
import { GoogleServiceAccountCredential } from './google-service-account-credential.js';
import type { MailAuthError } from './mail-auth-error.js';
import { stackEnv } from './test-stack-env.js';

const env = stackEnv(
  'VMSYNC_GOOGLE_TOKEN_URL',
  'VMSYNC_GOOGLE_INTROSPECT_URL',
  'VMSYNC_TEST_SA_KEY',
  'VMSYNC_TEST_SA_KEY_UNDELEGATED',
  'VMSYNC_TEST_SA_KEY_DELETED',
  'VMSYNC_TEST_USERS',
  'VMSYNC_TEST_OUTSIDER',
);
const users = env.VMSYNC_TEST_USERS.split(',');
const user = (n: number) => users[n - 1] ?? `user${n}@example.test`;
const credential = (path: string) =>
  GoogleServiceAccountCredential.fromFile(path, { tokenUrl: env.VMSYNC_GOOGLE_TOKEN_URL });
const failure = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error('expected a refusal');
    },
    (error: MailAuthError) => error,
  );

describe('GoogleServiceAccountCredential against the token endpoint (google-auth-library)', () => {
  it('mints a token for a delegated user that introspects as that user', async () => {
    const sa = await credential(env.VMSYNC_TEST_SA_KEY);
    const token = await sa.token(user(1));
    expect(token.accessToken).toMatch(/^ya29\./);
    expect(token.expiresAt).toBeGreaterThan(Date.now() + 3_000_000);
    const res = await fetch(env.VMSYNC_GOOGLE_INTROSPECT_URL, {
      method: 'POST',
      body: new URLSearchParams({ token: token.accessToken }),
    });
    expect(await res.json()).toMatchObject({
      active: true,
      email: user(1),
      scope: 'https://mail.google.com/',
    });
    expect(await sa.accessToken(user(1))).toBe(token.accessToken);
  });

  it('reports DELEGATION_MISSING naming the client id and scope for an undelegated account', async () => {
    const sa = await credential(env.VMSYNC_TEST_SA_KEY_UNDELEGATED);
    const error = await failure(sa.accessToken(user(1)));
    expect(error).toMatchObject({ code: 'DELEGATION_MISSING', retriable: false });
    expect(error.message).toContain(
      `add client ID ${sa.clientId} with scope https://mail.google.com/`,
    );
    expect(error.details).toMatchObject({ serverError: 'unauthorized_client', httpStatus: 401 });
  });

  it('reports KEY_INVALID for a deleted key', async () => {
    const sa = await credential(env.VMSYNC_TEST_SA_KEY_DELETED);
    const error = await failure(sa.accessToken(user(1)));
    expect(error).toMatchObject({ code: 'KEY_INVALID', retriable: false });
    expect(error.message).toContain(sa.privateKeyId);
    expect(error.details.serverErrorDescription).toBe('Invalid JWT Signature.');
  });

  it('refuses a user of another domain (no delegation there)', async () => {
    const sa = await credential(env.VMSYNC_TEST_SA_KEY);
    const error = await failure(sa.accessToken(env.VMSYNC_TEST_OUTSIDER));
    expect(error).toMatchObject({ code: 'DELEGATION_MISSING', retriable: false });
  });

  it('reports USER_UNKNOWN for a user the domain does not have', async () => {
    const sa = await credential(env.VMSYNC_TEST_SA_KEY);
    const error = await failure(sa.accessToken('nobody@example.test'));
    expect(error).toMatchObject({ code: 'USER_UNKNOWN', retriable: false });
  });
});
