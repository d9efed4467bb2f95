import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signRs256 } from './jwt.js';
import { createTokenEndpoint, type RequestLogEntry } from './server.js';
import { fixtures } from './test-fixtures.js';

const f = fixtures(Math.floor(Date.now() / 1000));
const logged: RequestLogEntry[] = [];
const server = createTokenEndpoint({ directory: f.directory, onRequest: (e) => logged.push(e) });
let base = '';

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const post = (path: string, form: Record<string, string>) =>
  fetch(`${base}${path}`, { method: 'POST', body: new URLSearchParams(form) });
const grant = (assertion: string) =>
  post('/token', { grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion });

describe('token endpoint over HTTP', () => {
  it('mints a token that /introspect reports active for the subject', async () => {
    const res = await grant(signRs256(f.claims(), f.delegated.privateKey));
    expect(res.status).toBe(200);
    const body = (await res.json()) as { access_token: string };
    expect(body).toMatchObject({ expires_in: 3599, token_type: 'Bearer' });
    const intro = await (await post('/introspect', { token: body.access_token })).json();
    expect(intro).toMatchObject({ active: true, email: 'user1@example.test' });
    expect(logged.some((e) => JSON.stringify(e).includes(body.access_token))).toBe(false);
  });

  it('answers Google error shapes with 400 / 401', async () => {
    const bad = await grant(signRs256(f.claims(), f.deleted.privateKey));
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({
      error: 'invalid_grant',
      error_description: 'Invalid JWT Signature.',
    });
    const undelegated = await grant(
      signRs256(f.claims({ iss: f.undelegated.email }), f.undelegated.privateKey),
    );
    expect(undelegated.status).toBe(401);
    expect(await undelegated.json()).toMatchObject({ error: 'unauthorized_client' });
  });

  it('refuses a wrong grant type and a missing assertion', async () => {
    expect((await post('/token', { grant_type: 'password' })).status).toBe(400);
    const res = await post('/token', { grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer' });
    expect(await res.json()).toMatchObject({ error: 'invalid_request' });
  });

  it('answers inactive for unknown tokens, and healthz', async () => {
    expect(await (await post('/introspect', { token: 'ya29.nope' })).json()).toEqual({
      active: false,
    });
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
  });
});
