import { stat } from 'node:fs/promises';
import { createSecureContext, type SecureContext, type TLSSocket } from 'node:tls';
import {
  connectImap,
  explainGoogleAuthError,
  GoogleServiceAccountCredential,
  type SharedTokenCache,
} from '@vmsync/mail-auth';
import { ImapFlow, type ImapFlowOptions } from 'imapflow';
import { ConnectGate } from './connect-gate.js';
import { idleRenewalFor } from './idle-renewal.js';
import { LoginLimiter } from './login-limiter.js';
import type { MailDomain } from './mail-domains.js';
import type { ConnectOptions, MailboxConnector } from './mailbox-connector.port.js';
import { MailboxError } from './mailbox-error.js';
import type { MailDomainLookup } from './reloading-mail-domains.js';
import { TlsSessions } from './tls-sessions.js';

/** What the connector needs of a token source: a (cached) token, and forgetting it. */
export interface TokenCredential {
  accessToken(subject: string): Promise<string>;
  invalidate(subject: string): void;
}

export interface ImapConnectorOptions {
  /** Logins per second and burst of a domain that names none of its own (mail domains file). */
  login: { ratePerSecond: number; burst: number };
  /** Connection attempts in flight at once, all domains together (default 64). */
  maxConcurrentConnects?: number;
  /** TCP keepalive probe delay on idle sockets; 0 turns keepalive off (NOTES.md: it dominates idle bytes). */
  keepAliveMs: number;
  /** Connection (TCP+TLS) and greeting budget. */
  connectTimeoutMs?: number;
  /** Inactivity after which imapflow drops a silent connection. */
  socketTimeoutMs?: number;
  /**
   * An IDLE is ended and begun again after about this long (RFC 2177: within 29 min); each
   * connection ±10 % so that the connections of a start do not renew together.
   */
  idleRenewMs?: number;
  /**
   * Access tokens shared with the deployment's other processes and the next start of this
   * one (sealed; RedisTokenCache): a restart logs in without minting a token per mailbox.
   */
  sharedTokens?: SharedTokenCache;
  /** Wraps a domain's credential (tests: a cache holding an expired token). */
  wrapCredential?: (credential: GoogleServiceAccountCredential) => TokenCredential;
}

interface CachedCredential {
  domain: MailDomain;
  stamp: string;
  credential: TokenCredential;
}

/** Changes when the file is replaced or rewritten; a missing file is read (and explained) later. */
async function keyFileStamp(path: string): Promise<string> {
  try {
    const s = await stat(path);
    return `${s.ino}:${s.size}:${s.mtimeMs}`;
  } catch {
    return 'unreadable';
  }
}

/**
 * Connects with the credential of the account's domain: a Google service account (token via
 * mail-auth, XOAUTH2/OAUTHBEARER) or a login and password for a plain IMAP server. A token
 * the server refuses is dropped and a fresh one tried once before the failure is reported.
 */
export class ImapConnector implements MailboxConnector {
  readonly #credentials = new Map<string, CachedCredential>();
  readonly #limiters = new Map<string, { rate: number; burst: number; limiter: LoginLimiter }>();
  /** By domain entry: a reloaded domains file (a new CA) gets a new context. */
  readonly #contexts = new WeakMap<MailDomain, SecureContext>();
  /** By domain entry too: a login resumes the TLS session of the one before it. */
  readonly #sessions = new TlsSessions<MailDomain>();
  readonly #gate: ConnectGate;

  constructor(
    private readonly domains: MailDomainLookup,
    private readonly options: ImapConnectorOptions,
  ) {
    this.#gate = new ConnectGate(options.maxConcurrentConnects ?? 64);
  }

  /** Each domain's server sees its own steady login rate (one bucket per domain). */
  #limiter(domain: MailDomain): LoginLimiter {
    const rate = domain.loginRatePerSecond ?? this.options.login.ratePerSecond;
    const burst = domain.loginBurst ?? this.options.login.burst;
    const cached = this.#limiters.get(domain.domain);
    if (cached?.rate === rate && cached.burst === burst) return cached.limiter;
    const limiter = new LoginLimiter(rate, burst);
    this.#limiters.set(domain.domain, { rate, burst, limiter });
    return limiter;
  }

  /** One TLS context per domain: its CA parsed once, not once per mailbox. */
  #secureContext(domain: MailDomain): SecureContext {
    let context = this.#contexts.get(domain);
    if (context === undefined) {
      context = createSecureContext(domain.tlsCa === undefined ? {} : { ca: [domain.tlsCa] });
      this.#contexts.set(domain, context);
    }
    return context;
  }

  #session(domain: MailDomain): { session?: Buffer } {
    const session = this.#sessions.offer(domain);
    return session === undefined ? {} : { session };
  }

  handles(account: string): boolean {
    return this.domains.forAccount(account) !== undefined;
  }

  async connect(account: string, options: ConnectOptions = {}): Promise<ImapFlow> {
    const client = await this.#connect(account, options);
    const domain = this.domains.forAccount(account);
    if (domain !== undefined) this.#sessions.keep(domain, socketOf(client) || undefined);
    // imapflow emits 'error' once before closing; unheard, it would crash the process.
    // Sessions learn of the end from 'close'.
    client.on('error', () => {});
    return client;
  }

  async #connect(account: string, options: ConnectOptions): Promise<ImapFlow> {
    const domain = this.domains.forAccount(account);
    if (domain === undefined) {
      throw new MailboxError(
        'MAILBOX_NO_CREDENTIAL',
        `No mail credential for the domain of ${account}: add the domain to the mail domains file (VMSYNC_MAIL_DOMAINS_FILE).`,
        { retriable: false },
      );
    }
    const limiter = this.#limiter(domain);
    await limiter.take(options.signal);
    return this.#gate.run(async () => {
      if (domain.kind === 'imap') return this.#withPassword(account, domain);
      const credential = await this.#credential(domain);
      if (options.fresh) credential.invalidate(account);
      try {
        return await this.#withToken(account, domain, await credential.accessToken(account));
      } catch (error) {
        const refused = (error as { code?: unknown }).code === 'IMAP_AUTH_FAILED';
        if (!refused) throw error;
        // Expired or revoked under us: one more try with a token minted now.
        credential.invalidate(account);
        await limiter.take(options.signal);
        return this.#withToken(account, domain, await credential.accessToken(account));
      }
    });
  }

  /**
   * The domain's credential, made again when its domain entry or its key file changed
   * (a rotated key is used from the next login on, without a restart).
   */
  async #credential(domain: Extract<MailDomain, { kind: 'google' }>): Promise<TokenCredential> {
    const stamp = await keyFileStamp(domain.serviceAccountKeyFile);
    const cached = this.#credentials.get(domain.domain);
    if (cached && cached.domain === domain && cached.stamp === stamp) return cached.credential;
    const real = await GoogleServiceAccountCredential.fromFile(domain.serviceAccountKeyFile, {
      ...(domain.tokenUrl === undefined ? {} : { tokenUrl: domain.tokenUrl }),
      ...(domain.scopes === undefined ? {} : { scopes: domain.scopes }),
      ...(this.options.sharedTokens === undefined
        ? {}
        : { sharedCache: this.options.sharedTokens }),
    });
    const credential = this.options.wrapCredential?.(real) ?? real;
    this.#credentials.set(domain.domain, { domain, stamp, credential });
    return credential;
  }

  #imapflowOptions(): Omit<
    ImapFlowOptions,
    'host' | 'port' | 'secure' | 'auth' | 'tls' | 'logger'
  > {
    return {
      // The watcher calls idle() itself; the actuator never idles.
      disableAutoIdle: true,
      connectionTimeout: this.options.connectTimeoutMs ?? 30_000,
      greetingTimeout: this.options.connectTimeoutMs ?? 16_000,
      ...(this.options.socketTimeoutMs === undefined
        ? {}
        : { socketTimeout: this.options.socketTimeoutMs }),
      ...(this.options.idleRenewMs === undefined
        ? {}
        : { maxIdleTime: idleRenewalFor(this.options.idleRenewMs) }),
    };
  }

  #keepAlive() {
    const ms = this.options.keepAliveMs;
    return ms > 0 ? { enabled: true, initialDelayMs: ms } : { enabled: false };
  }

  #withToken(account: string, domain: MailDomain, accessToken: string): Promise<ImapFlow> {
    return connectImap({
      host: domain.imap.host,
      port: domain.imap.port,
      secure: domain.imap.secure,
      user: account,
      accessToken,
      tls: {
        secureContext: this.#secureContext(domain),
        ...(domain.imap.servername === undefined ? {} : { servername: domain.imap.servername }),
        ...this.#session(domain),
      },
      tcpKeepAlive: this.#keepAlive(),
      imapflow: this.#imapflowOptions(),
    });
  }

  async #withPassword(
    account: string,
    domain: Extract<MailDomain, { kind: 'imap' }>,
  ): Promise<ImapFlow> {
    const { imap } = domain;
    const client = new ImapFlow({
      ...this.#imapflowOptions(),
      host: imap.host,
      port: imap.port,
      secure: imap.secure,
      ...(imap.secure ? {} : { doSTARTTLS: true }),
      ...(imap.servername === undefined ? {} : { servername: imap.servername }),
      tls: {
        rejectUnauthorized: true,
        secureContext: this.#secureContext(domain),
        ...(imap.servername === undefined ? {} : { servername: imap.servername }),
        ...this.#session(domain),
      },
      auth: { user: domain.user.replaceAll('{address}', account), pass: domain.password },
      logger: false,
    });
    const swallow = () => {};
    client.on('error', swallow);
    try {
      await client.connect();
    } catch (error) {
      client.close();
      const explained = explainGoogleAuthError(error, { stage: 'imap', subject: account });
      if (explained.code !== 'IMAP_AUTH_FAILED') throw explained;
      // A password login that is refused stays refused until someone fixes the file.
      throw new MailboxError(
        'MAILBOX_LOGIN_REFUSED',
        `The IMAP server ${imap.host} refused the login of ${account} (as ${domain.user}): check the user template and the password file ${domain.passwordFile}. (Server said: ${explained.details.serverErrorDescription ?? 'no text'})`,
        { retriable: false, cause: error },
      );
    } finally {
      client.off('error', swallow);
    }
    const keepAlive = this.#keepAlive();
    const socket = socketOf(client);
    if (socket && typeof socket.setKeepAlive === 'function') {
      socket.setKeepAlive(keepAlive.enabled, keepAlive.initialDelayMs ?? 0);
    }
    return client;
  }
}

/** The connection's socket (a TLSSocket once TLS is up); not in imapflow's typings. */
function socketOf(client: ImapFlow): TLSSocket | false | undefined {
  return (client as unknown as { socket?: TLSSocket | false }).socket;
}
