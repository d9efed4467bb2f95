import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  loadMailDomains,
  MailDomainConfig,
  type MailDomains,
  MailDomainsFile,
} from '@vmsync/imap-mailbox';
import { configError } from './exit-codes.js';

/**
 * The mail domains file the services read (VMSYNC_MAIL_DOMAINS_FILE) is the one registry
 * of domains: the CLI edits that file, and the services pick the change up (hot reload).
 */
export class DomainsFile {
  constructor(readonly path: string) {}

  /** The file as written (paths not resolved); an absent file is an empty registry. */
  read(): MailDomainsFile {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { domains: [] };
      throw configError(
        `cannot read the mail domains file ${this.path}: ${(error as Error).message}`,
      );
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw configError(`${this.path} is not JSON: ${(error as Error).message}`);
    }
    const parsed = MailDomainsFile.safeParse(json);
    if (!parsed.success) {
      const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
      throw configError(`${this.path} is not a valid mail domains file: ${problems.join('; ')}`);
    }
    return parsed.data;
  }

  /** The domains with their files read, as the services load them. */
  load(): MailDomains {
    try {
      return loadMailDomains(this.path);
    } catch (error) {
      throw configError((error as Error).message, error);
    }
  }

  find(domain: string): MailDomainConfig | undefined {
    const name = domain.toLowerCase();
    return this.read().domains.find((d) => d.domain.toLowerCase() === name);
  }

  /** Adds or replaces a domain; written whole and renamed into place, so a reader never sees half a file. */
  put(entry: MailDomainConfig): 'added' | 'replaced' {
    const checked = MailDomainConfig.parse(entry);
    const file = this.read();
    const name = checked.domain.toLowerCase();
    const existing = file.domains.findIndex((d) => d.domain.toLowerCase() === name);
    const domains = [...file.domains];
    if (existing >= 0) domains[existing] = checked;
    else domains.push(checked);
    this.#write({ domains });
    return existing >= 0 ? 'replaced' : 'added';
  }

  /** Removes a domain; false when it was not there. */
  remove(domain: string): boolean {
    const file = this.read();
    const name = domain.toLowerCase();
    const domains = file.domains.filter((d) => d.domain.toLowerCase() !== name);
    if (domains.length === file.domains.length) return false;
    this.#write({ domains });
    return true;
  }

  #write(file: MailDomainsFile): void {
    const tmp = join(dirname(this.path), `.${Date.now()}-${process.pid}.mail-domains.tmp`);
    writeFileSync(tmp, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o640 });
    renameSync(tmp, this.path);
  }
}
