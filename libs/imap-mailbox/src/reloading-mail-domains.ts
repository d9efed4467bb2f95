import { unwatchFile, watchFile } from 'node:fs';
import { loadMailDomains, type MailDomain, type MailDomains } from './mail-domains.js';
import { describeFailure } from './mailbox-error.js';

/** What the connector asks of the domains: the credential for an account, and the list. */
export interface MailDomainLookup {
  forAccount(account: string): MailDomain | undefined;
  readonly domains: string[];
}

export interface ReloadingMailDomainsOptions {
  /** How often the file's stat is checked; default 1 s (one stat call, nothing read). */
  intervalMs?: number;
  onReload?: (domains: MailDomains) => void;
  /** A changed file that does not load: the previous domains stay in force. */
  onError?: (error: { code: string; message: string }) => void;
}

/**
 * The mail domains file, read at boot and again whenever it or a key file it names
 * changes, so that adding a domain (e.g. `vmsync domain add`) or rotating a key takes
 * effect without a restart (onReload tells the services to retry what waited for it). A file that stops
 * being valid is reported and ignored: the services keep the last good domains.
 * Watched by stat polling, which survives the file being replaced by a rename.
 */
export class ReloadingMailDomains implements MailDomainLookup {
  #current: MailDomains;
  #listener: (() => void) | undefined;
  readonly #keys = new Set<string>();

  constructor(
    readonly path: string,
    private readonly options: ReloadingMailDomainsOptions = {},
  ) {
    this.#current = loadMailDomains(path);
  }

  get current(): MailDomains {
    return this.#current;
  }

  forAccount(account: string): MailDomain | undefined {
    return this.#current.forAccount(account);
  }

  get domains(): string[] {
    return this.#current.domains;
  }

  /** Loads the file now; false (and onError) when it is not valid. */
  reload(): boolean {
    try {
      this.#current = loadMailDomains(this.path);
    } catch (error) {
      this.options.onError?.(describeFailure(error));
      return false;
    }
    this.options.onReload?.(this.#current);
    return true;
  }

  /** Watches the domains file and every service-account key file it names. */
  start(): this {
    if (this.#listener) return this;
    this.#listener = () => {
      this.reload();
      this.#watchKeys();
    };
    this.#watch(this.path);
    this.#watchKeys();
    return this;
  }

  stop(): void {
    const listener = this.#listener;
    if (listener) for (const path of [this.path, ...this.#keys]) unwatchFile(path, listener);
    this.#keys.clear();
    this.#listener = undefined;
  }

  #watch(path: string): void {
    if (!this.#listener) return;
    const interval = this.options.intervalMs ?? 1_000;
    watchFile(path, { interval, persistent: false }, this.#listener);
  }

  /** A rotated key (same path, new content) counts as a change of the domains. */
  #watchKeys(): void {
    const listener = this.#listener;
    if (!listener) return;
    const now = new Set(
      this.#current.entries.flatMap((d) => (d.kind === 'google' ? [d.serviceAccountKeyFile] : [])),
    );
    for (const path of this.#keys) if (!now.has(path)) unwatchFile(path, listener);
    for (const path of now) if (!this.#keys.has(path)) this.#watch(path);
    this.#keys.clear();
    for (const path of now) this.#keys.add(path);
  }
}
