import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { GoogleServiceAccountCredential } from './google-service-account-credential.js';
import { MailAuthError } from './mail-auth-error.js';
import { parseServiceAccountKey, readServiceAccountKeyFile } from './service-account-key.js';

const SECRET = 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC-SECRET-MARKER';
const key = {
  type: 'service_account',
  project_id: 'proj',
  private_key_id: 'a1b2c3d4e5',
  private_key: `-----BEGIN PRIVATE KEY-----\n${SECRET}\n-----END PRIVATE KEY-----\n`,
  client_email: 'sync@proj.iam.gserviceaccount.com',
  client_id: '112233445566778899001',
  token_uri: 'https://oauth2.googleapis.com/token',
};

const failure = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error('expected a refusal');
    },
    (error: MailAuthError) => error,
  );

function thrown(fn: () => unknown): MailAuthError {
  try {
    fn();
  } catch (error) {
    if (error instanceof MailAuthError) return error;
    throw error;
  }
  throw new Error('did not throw');
}

describe('service-account key validation', () => {
  it('accepts a Google key file', () => {
    expect(parseServiceAccountKey(key, 'test').client_id).toBe('112233445566778899001');
  });

  it('names each missing or wrong field, never the values', () => {
    const { client_email: _e, ...noEmail } = key;
    const e = thrown(() =>
      parseServiceAccountKey(
        { ...noEmail, type: 'authorized_user', client_id: 'sync@x', private_key: `x${SECRET}` },
        'file k.json',
      ),
    );
    expect(e.code).toBe('KEY_FILE_INVALID');
    expect(e.retriable).toBe(false);
    expect(e.message).toContain('file k.json');
    expect(e.message).toContain('field "client_email" is missing');
    expect(e.message).toContain('field "type"');
    expect(e.message).toContain('field "client_id"');
    expect(e.message).toContain('field "private_key"');
    expect(e.message).not.toContain(SECRET);
  });

  it('does not quote the file when it is not JSON', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sa-key-'));
    const path = join(dir, 'broken.json');
    writeFileSync(path, JSON.stringify(key).slice(0, -5));
    const e = await failure(readServiceAccountKeyFile(path));
    expect(e).toMatchObject({ code: 'KEY_FILE_INVALID' });
    expect(e.message).toContain('not valid JSON');
    expect(e.message).not.toContain(SECRET);
    const missing = await failure(readServiceAccountKeyFile(join(dir, 'nope.json')));
    expect(missing.message).toContain('ENOENT');
  });

  it('keeps the private key out of toString, JSON and inspect', () => {
    const credential = GoogleServiceAccountCredential.fromJson(key);
    for (const text of [
      String(credential),
      JSON.stringify(credential),
      inspect(credential, { depth: 5 }),
    ]) {
      expect(text).not.toContain(SECRET);
      expect(text).toContain('sync@proj.iam.gserviceaccount.com');
    }
  });
});
