import { generateKeyPairSync } from 'node:crypto';
import { buildDirectory, type Directory, EndpointConfig } from './config.js';
import { GOOGLE_TOKEN_URL } from './google-responses.js';

/** Key pairs and a directory shaped like the stack's: one delegated, one undelegated account. */
export function fixtures(nowSeconds: number) {
  const pair = () =>
    generateKeyPairSync('rsa', {
      modulusLength: 2048,
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    });
  const delegated = {
    ...pair(),
    email: 'sync@vmsync-test.iam.gserviceaccount.com',
    clientId: '100000000000000000001',
    kid: 'k1',
  };
  const undelegated = {
    ...pair(),
    email: 'other@vmsync-test.iam.gserviceaccount.com',
    clientId: '100000000000000000002',
    kid: 'k2',
  };
  const deleted = { ...pair(), kid: 'k3' };
  const config = EndpointConfig.parse({
    serviceAccounts: [
      {
        clientEmail: delegated.email,
        clientId: delegated.clientId,
        keys: [{ privateKeyId: 'k1', publicKeyPem: delegated.publicKey }],
      },
      {
        clientEmail: undelegated.email,
        clientId: undelegated.clientId,
        keys: [{ privateKeyId: 'k2', publicKeyPem: undelegated.publicKey }],
      },
    ],
    delegations: [
      {
        domain: 'example.test',
        clientId: delegated.clientId,
        scopes: ['https://mail.google.com/'],
      },
    ],
    users: ['user1@example.test', 'user2@example.test', 'outsider@other.test'],
    tokenLifetimeSeconds: 3600,
  });
  const directory: Directory = buildDirectory(config);
  const claims = (over: Record<string, unknown> = {}) => ({
    iss: delegated.email,
    aud: GOOGLE_TOKEN_URL,
    iat: nowSeconds,
    exp: nowSeconds + 3600,
    scope: 'https://mail.google.com/',
    sub: 'user1@example.test',
    ...over,
  });
  return { delegated, undelegated, deleted, config, directory, claims };
}
