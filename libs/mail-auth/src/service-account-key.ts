import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { MailAuthError } from './mail-auth-error.js';

/** A Google service-account key file ("JSON key" in the Cloud console), the fields vmsync uses. */
export const ServiceAccountKey = z.object({
  type: z.literal('service_account'),
  project_id: z.string().min(1),
  private_key_id: z.string().regex(/^[0-9a-f]+$/i, 'must be the hex key id'),
  private_key: z
    .string()
    .refine(
      (v) => v.includes('-----BEGIN PRIVATE KEY-----') && v.includes('-----END PRIVATE KEY-----'),
      {
        message: 'must be a PEM "BEGIN PRIVATE KEY" block',
      },
    ),
  client_email: z.email(),
  client_id: z.string().regex(/^\d+$/, 'must be the numeric client ID'),
  token_uri: z.url().optional(),
});
export type ServiceAccountKey = z.infer<typeof ServiceAccountKey>;

/**
 * Validates a parsed key file. Errors name the file and each wrong field, and never carry
 * a field's value (the private key must not reach a log).
 */
export function parseServiceAccountKey(json: unknown, source: string): ServiceAccountKey {
  const result = ServiceAccountKey.safeParse(json);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const field = issue.path.join('.') || '(root)';
    // zod reports no input values unless asked (reportInput), so messages hold no secret.
    const missing = issue.code === 'invalid_type' && /received undefined/.test(issue.message);
    return `field "${field}" ${missing ? 'is missing' : `is invalid (${issue.message})`}`;
  });
  throw new MailAuthError(
    'KEY_FILE_INVALID',
    `Service-account key ${source} is not a Google service-account JSON key: ${problems.join('; ')}. Download a new JSON key in the Google Cloud console > IAM & Admin > Service Accounts > Keys.`,
    { retriable: false },
  );
}

export async function readServiceAccountKeyFile(path: string): Promise<ServiceAccountKey> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new MailAuthError(
      'KEY_FILE_INVALID',
      `Service-account key file ${path} cannot be read (${code}).`,
      {
        retriable: false,
      },
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    // JSON.parse's own message quotes the text around the error: it could be the key.
    throw new MailAuthError(
      'KEY_FILE_INVALID',
      `Service-account key file ${path} is not valid JSON.`,
      {
        retriable: false,
      },
    );
  }
  return parseServiceAccountKey(json, `file ${path}`);
}
