/**
 * Writes what the local stack's Google stand-in needs (scripts/stack/google.sh runs it):
 * Google-format service-account key files, generated once and kept, and the endpoint's
 * config for the given users. Re-running keeps the keys and rewrites only the config.
 *
 *   tsx provision.ts <dir> <users> <domain> <tokenLifetimeSeconds>
 *
 * Key files in <dir>: sa-delegated.json (domain-wide delegation for https://mail.google.com/
 * in <domain>), sa-undelegated.json (no delegation), sa-deleted.json (the delegated
 * account's email, but a key the endpoint does not know: a deleted key). Users are
 * user1..user<users>@<domain> plus outsider@other.test, a domain with no delegation;
 * mailboxes.txt lists them one a line.
 */
import { createPublicKey, generateKeyPairSync, randomBytes, randomInt } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EndpointConfig } from './config.js';
import { GOOGLE_TOKEN_URL } from './google-responses.js';

const PROJECT = 'vmsync-test';
const OUTSIDER = 'outsider@other.test';

interface KeyFile {
  type: 'service_account';
  project_id: string;
  private_key_id: string;
  private_key: string;
  client_email: string;
  client_id: string;
  auth_uri: string;
  token_uri: string;
  auth_provider_x509_cert_url: string;
  client_x509_cert_url: string;
  universe_domain: string;
}

function newKeyFile(account: string, clientId: string): KeyFile {
  const { privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  const email = `${account}@${PROJECT}.iam.gserviceaccount.com`;
  return {
    type: 'service_account',
    project_id: PROJECT,
    private_key_id: randomBytes(20).toString('hex'),
    private_key: privateKey,
    client_email: email,
    client_id: clientId,
    auth_uri: 'https://accounts.google.com/o/oauth2/auth',
    // As Google writes it; google-auth-library ignores it, the product is told the URL.
    token_uri: GOOGLE_TOKEN_URL,
    auth_provider_x509_cert_url: 'https://www.googleapis.com/oauth2/v1/certs',
    client_x509_cert_url: `https://www.googleapis.com/robot/v1/metadata/x509/${encodeURIComponent(email)}`,
    universe_domain: 'googleapis.com',
  };
}

const newClientId = () => `1${Array.from({ length: 20 }, () => randomInt(10)).join('')}`;

function writeAtomic(path: string, text: string, mode: number): void {
  writeFileSync(`${path}.tmp`, text, { mode });
  renameSync(`${path}.tmp`, path);
}

function keyFile(dir: string, name: string, make: () => KeyFile): KeyFile {
  const path = join(dir, name);
  if (existsSync(path)) return JSON.parse(readFileSync(path, 'utf8')) as KeyFile;
  const key = make();
  writeAtomic(path, `${JSON.stringify(key, null, 2)}\n`, 0o600);
  return key;
}

const [dir, usersArg, domain, lifetimeArg] = process.argv.slice(2);
const userCount = Number(usersArg);
const lifetime = Number(lifetimeArg);
if (!dir || !domain || !Number.isInteger(userCount) || userCount < 1 || !(lifetime > 0)) {
  console.error('usage: provision.ts <dir> <users> <domain> <tokenLifetimeSeconds>');
  process.exit(2);
}
mkdirSync(dir, { recursive: true, mode: 0o700 });

const delegated = keyFile(dir, 'sa-delegated.json', () => newKeyFile('vmsync-sync', newClientId()));
const undelegated = keyFile(dir, 'sa-undelegated.json', () =>
  newKeyFile('vmsync-nodwd', newClientId()),
);
const deleted = keyFile(dir, 'sa-deleted.json', () => ({
  ...newKeyFile('vmsync-sync', delegated.client_id),
  client_email: delegated.client_email,
  client_x509_cert_url: delegated.client_x509_cert_url,
}));
if (deleted.client_email !== delegated.client_email)
  throw new Error('sa-deleted.json: stale key file');

const publicKey = (k: KeyFile) => ({
  privateKeyId: k.private_key_id,
  publicKeyPem: createPublicKey(k.private_key).export({ type: 'spki', format: 'pem' }).toString(),
});
const users = Array.from({ length: userCount }, (_, i) => `user${i + 1}@${domain}`);
const config: EndpointConfig = {
  serviceAccounts: [
    {
      clientEmail: delegated.client_email,
      clientId: delegated.client_id,
      keys: [publicKey(delegated)],
    },
    {
      clientEmail: undelegated.client_email,
      clientId: undelegated.client_id,
      keys: [publicKey(undelegated)],
    },
  ],
  delegations: [{ domain, clientId: delegated.client_id, scopes: ['https://mail.google.com/'] }],
  users: [...users, OUTSIDER],
  tokenLifetimeSeconds: lifetime,
  clockSkewSeconds: 60,
};
writeAtomic(join(dir, 'endpoint-config.json'), `${JSON.stringify(config, null, 2)}\n`, 0o644);
// Every mailbox Google knows, one a line: the IMAP server of the stack serves the same.
writeAtomic(join(dir, 'mailboxes.txt'), `${config.users.join('\n')}\n`, 0o644);
