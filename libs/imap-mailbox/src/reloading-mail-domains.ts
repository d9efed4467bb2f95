import { readFileSync, statSync } from 'node:fs';
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
 * The mail domains file, read at boot and again whenever it or a file it names (a
 * service-account key, a password or CA file) changes, so that adding a domain (e.g.
 * `vmsync domain add`) or rotating a key or password takes effect without a restart
 * (onReload tells the services to retry what waited for it). A file that stops being
 * valid is reported and ignored: the services keep the last good domains.
 * Watched by stat polling, which survives a file being replaced by a rename. Each file's
 * stat is taken before it is read, so a change made between a load and the next poll is
 * seen at that poll, not taken for the baseline.
 */
export class ReloadingMailDomains implements MailDomainLookup {
  #current: MailDomains;
  /** path -> its stat line when it was last read (or named). */
  #stamps: Map<string, string>;
  #timer: NodeJS.Timeout | undefined;

  constructor(
    readonly path: string,
    private readonly options: ReloadingMailDomainsOptions = {},
  ) {
    const before = statLine(path);
    this.#current = loadMailDomains(path);
    this.#stamps = this.#stampsAfterLoad(new Map([[path, before]]));
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
    const before = new Map([...this.#stamps.keys()].map((p) => [p, statLine(p)]));
    try {
      this.#current = loadMailDomains(this.path);
    } catch (error) {
      // Watch what the refused file names too: a key file written after the domains file
      // that names it must count as the change that makes the file valid.
      for (const p of filesNamedIn(this.path)) if (!before.has(p)) before.set(p, statLine(p));
      this.#stamps = before;
      this.options.onError?.(describeFailure(error));
      return false;
    }
    this.#stamps = this.#stampsAfterLoad(before);
    this.options.onReload?.(this.#current);
    return true;
  }

  /** Polls the domains file and the files it names. */
  start(): this {
    if (this.#timer) return this;
    this.#timer = setInterval(() => {
      for (const [path, stamp] of this.#stamps) {
        if (statLine(path) !== stamp) {
          this.reload();
          return;
        }
      }
    }, this.options.intervalMs ?? 1_000);
    this.#timer.unref();
    return this;
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** The files the loaded domains name: those stamped before the load keep that stamp. */
  #stampsAfterLoad(before: Map<string, string>): Map<string, string> {
    const named = this.#current.entries.flatMap(filesOf);
    const stamps = new Map([[this.path, before.get(this.path) ?? statLine(this.path)]]);
    for (const p of named) stamps.set(p, before.get(p) ?? statLine(p));
    return stamps;
  }
}

/** What tells a file's versions apart: a rename (inode), a rewrite (size, times). */
function statLine(path: string): string {
  try {
    const s = statSync(path, { bigint: true });
    return `${s.ino} ${s.size} ${s.mtimeNs} ${s.ctimeNs}`;
  } catch {
    return 'missing';
  }
}

function filesOf(d: {
  serviceAccountKeyFile?: unknown;
  passwordFile?: unknown;
  imap?: { tlsCaFile?: unknown };
}): string[] {
  return [d.serviceAccountKeyFile, d.passwordFile, d.imap?.tlsCaFile].filter(
    (f): f is string => typeof f === 'string' && f !== '',
  );
}

/** The files a domains file names, read leniently from a file that did not load. */
function filesNamedIn(path: string): string[] {
  try {
    const json = JSON.parse(readFileSync(path, 'utf8')) as { domains?: unknown };
    if (!Array.isArray(json.domains)) return [];
    return json.domains.flatMap((d) => (typeof d === 'object' && d !== null ? filesOf(d) : []));
  } catch {
    return [];
  }
}
