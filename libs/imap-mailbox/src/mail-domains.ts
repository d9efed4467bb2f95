import { readFileSync } from 'node:fs';
import { VmsyncError } from '@vmsync/errors';
import { z } from 'zod';

const Imap = z.strictObject({
  host: z.string().min(1),
  port: z.number().int().min(1).max(65535).default(993),
  /** true: TLS from the first byte (IMAPS); false: STARTTLS, required. */
  secure: z.boolean().default(true),
  /** PEM file of a CA to trust instead of the system's (a private server's certificate). */
  tlsCaFile: z.string().min(1).optional(),
  /** The name the certificate is checked against, when `host` is an address. */
  servername: z.string().min(1).optional(),
});

/** Logins per second to the domain's server (and token requests): its own bucket. */
const loginLimits = {
  loginRatePerSecond: z.number().positive().optional(),
  loginBurst: z.number().int().min(1).optional(),
};

const GoogleDomain = z.strictObject({
  domain: z.string().min(1),
  ...loginLimits,
  kind: z.literal('google'),
  /** JSON key of the service account with domain-wide delegation (DESIGN.md §5). */
  serviceAccountKeyFile: z.string().min(1),
  imap: Imap.default({ host: 'imap.gmail.com', port: 993, secure: true }),
  /** Where tokens are minted; Google's by default (a stand-in in tests). */
  tokenUrl: z.url().optional(),
  scopes: z.array(z.string().min(1)).min(1).optional(),
});

const PasswordDomain = z.strictObject({
  domain: z.string().min(1),
  ...loginLimits,
  kind: z.literal('imap'),
  imap: Imap,
  /** Login name; `{address}` is replaced by the mailbox's address (e.g. a master-user login). */
  user: z.string().min(1).default('{address}'),
  /** File holding the password of that login (a service or master password, never a user's). */
  passwordFile: z.string().min(1),
});

export const MailDomainConfig = z.discriminatedUnion('kind', [GoogleDomain, PasswordDomain]);
export type MailDomainConfig = z.infer<typeof MailDomainConfig>;

export const MailDomainsFile = z.strictObject({
  domains: z.array(MailDomainConfig),
});
export type MailDomainsFile = z.infer<typeof MailDomainsFile>;

/** The mail credential of one domain, with its files read. */
export type MailDomain =
  | (z.infer<typeof GoogleDomain> & { tlsCa?: string })
  | (z.infer<typeof PasswordDomain> & { tlsCa?: string; password: string });

export class MailDomainsError extends VmsyncError {
  constructor(message: string) {
    super('MAIL_DOMAINS_INVALID', message);
    this.name = 'MailDomainsError';
  }
}

/**
 * Which domains vmsync has a mail credential for (DESIGN.md §5): a user is synchronized only
 * when the domain of their notification address is listed.
 */
export class MailDomains {
  readonly #byDomain: ReadonlyMap<string, MailDomain>;

  constructor(domains: readonly MailDomain[]) {
    const map = new Map<string, MailDomain>();
    for (const d of domains) {
      const key = d.domain.toLowerCase();
      if (map.has(key)) throw new MailDomainsError(`domain ${d.domain} is listed twice`);
      map.set(key, d);
    }
    this.#byDomain = map;
  }

  /** The credential for `account`'s domain, or undefined when vmsync has none. */
  forAccount(account: string): MailDomain | undefined {
    const at = account.lastIndexOf('@');
    return at < 0 ? undefined : this.#byDomain.get(account.slice(at + 1).toLowerCase());
  }

  get domains(): string[] {
    return [...this.#byDomain.keys()];
  }

  get entries(): MailDomain[] {
    return [...this.#byDomain.values()];
  }
}

function readText(path: string, what: string, source: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new MailDomainsError(`${source}: ${what} ${path} cannot be read (${code})`);
  }
}

/**
 * Parses the domains file (JSON). Errors name the file and each wrong field, never a
 * value. CA and password files are read now, so a wrong path stops the service at boot;
 * service-account keys are read by the credential (it validates them field by field).
 */
export function parseMailDomains(json: unknown, source: string): MailDomains {
  const result = MailDomainsFile.safeParse(json);
  if (!result.success) {
    const problems = result.error.issues
      .slice(0, 10)
      .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new MailDomainsError(
      `${source} is not a valid mail domains file: ${problems.join('; ')}`,
    );
  }
  const domains = result.data.domains.map((d, i): MailDomain => {
    const where = `${source} domains.${i} (${d.domain})`;
    const tlsCa =
      d.imap.tlsCaFile === undefined ? {} : { tlsCa: readText(d.imap.tlsCaFile, 'CA file', where) };
    if (d.kind === 'google') {
      readText(d.serviceAccountKeyFile, 'service-account key file', where);
      return { ...d, ...tlsCa };
    }
    const password = readText(d.passwordFile, 'password file', where).trim();
    if (password === '')
      throw new MailDomainsError(`${where}: password file ${d.passwordFile} is empty`);
    return { ...d, ...tlsCa, password };
  });
  return new MailDomains(domains);
}

export function loadMailDomains(path: string): MailDomains {
  const text = readText(path, 'mail domains file', 'VMSYNC_MAIL_DOMAINS_FILE');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new MailDomainsError(`${path} is not JSON: ${(error as Error).message}`);
  }
  return parseMailDomains(json, path);
}
