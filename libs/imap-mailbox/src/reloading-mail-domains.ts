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
 * The mail domains file, read at boot and again whenever it changes, so that adding a
 * domain (e.g. `vmsync domain add`) takes effect without a restart. A file that stops
 * being valid is reported and ignored: the services keep the last good domains.
 * Watched by stat polling, which survives the file being replaced by a rename.
 */
export class ReloadingMailDomains implements MailDomainLookup {
  #current: MailDomains;
  #listener: (() => void) | undefined;

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

  start(): this {
    if (this.#listener) return this;
    this.#listener = () => void this.reload();
    watchFile(
      this.path,
      { interval: this.options.intervalMs ?? 1_000, persistent: false },
      this.#listener,
    );
    return this;
  }

  stop(): void {
    if (this.#listener) unwatchFile(this.path, this.#listener);
    this.#listener = undefined;
  }
}
