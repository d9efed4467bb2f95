import type { Socket } from 'node:net';
import type { SecureContext } from 'node:tls';
import { ImapFlow, type ImapFlowOptions, type Logger } from 'imapflow';
import { explainGoogleAuthError } from './explain-google-auth-error.js';

export interface TcpKeepAlive {
  readonly enabled: boolean;
  /** Idle time before the first probe. */
  readonly initialDelayMs?: number;
}

export interface ImapConnectOptions {
  readonly host: string;
  readonly port: number;
  /** The mailbox's user: the token's `sub`. */
  readonly user: string;
  readonly accessToken: string;
  /** true (default): TLS from the first byte (IMAPS); false: plain port, STARTTLS required. */
  readonly secure?: boolean;
  readonly tls?: {
    /** PEM of the CA to trust instead of the system's (a test server's self-signed cert). */
    readonly ca?: string | Buffer;
    /** The name the certificate is checked against (SNI), when `host` is an IP address. */
    readonly servername?: string;
    /**
     * One context shared by every connection to the domain (its CA parsed once): with `ca`
     * alone each connection builds its own, which costs CPU and memory per mailbox.
     */
    readonly secureContext?: SecureContext;
    /** A session this server gave before, offered for resumption (`tls.connect`'s `session`). */
    readonly session?: Buffer;
  };
  /**
   * TCP keepalive on the IMAP socket. imapflow probes every 5 s, which on thousands of idle
   * connections is most of the traffic (NOTES.md); default here: on, first probe after 60 s.
   * `{ enabled: false }` leaves liveness to IMAP itself (Dovecot's "Still here", IDLE restarts).
   */
  readonly tcpKeepAlive?: TcpKeepAlive;
  /** imapflow's logger; default none (it would log mailbox contents at debug). */
  readonly logger?: Logger | false;
  /** Further imapflow options (autoIdleDelay, qresync, ...); the ones above win. */
  readonly imapflow?: Omit<ImapFlowOptions, 'host' | 'port' | 'secure' | 'auth' | 'tls' | 'logger'>;
}

export const DEFAULT_TCP_KEEPALIVE: Required<TcpKeepAlive> = {
  enabled: true,
  initialDelayMs: 60_000,
};

/**
 * Opens a logged-in IMAP connection with an OAuth2 access token over TLS. imapflow picks
 * the mechanism: OAUTHBEARER when the server offers it, else XOAUTH2 (Gmail offers both).
 * A failure is thrown as a MailAuthError (IMAP_AUTH_FAILED, IMAP_DISABLED,
 * IMAP_UNAVAILABLE, IMAP_TLS_UNTRUSTED, ...).
 */
export async function connectImap(options: ImapConnectOptions): Promise<ImapFlow> {
  const secure = options.secure ?? true;
  const client = new ImapFlow({
    ...options.imapflow,
    host: options.host,
    port: options.port,
    secure,
    // Never fall back to cleartext: the token is a bearer credential.
    ...(secure ? {} : { doSTARTTLS: true }),
    ...(options.tls?.servername === undefined ? {} : { servername: options.tls.servername }),
    tls: {
      rejectUnauthorized: true,
      ...(options.tls?.secureContext !== undefined
        ? { secureContext: options.tls.secureContext }
        : options.tls?.ca === undefined
          ? {}
          : { ca: [options.tls.ca] }),
      ...(options.tls?.servername === undefined ? {} : { servername: options.tls.servername }),
      ...(options.tls?.session === undefined ? {} : { session: options.tls.session }),
    },
    auth: { user: options.user, accessToken: options.accessToken },
    logger: options.logger ?? false,
  });
  // An 'error' event without a listener would crash the process; connect() rejects anyway.
  const swallow = () => {};
  client.on('error', swallow);
  try {
    await client.connect();
  } catch (error) {
    client.close();
    throw explainGoogleAuthError(error, { stage: 'imap', subject: options.user });
  } finally {
    client.off('error', swallow);
  }
  applyKeepAlive(client, options.tcpKeepAlive ?? DEFAULT_TCP_KEEPALIVE);
  return client;
}

/**
 * imapflow sets its own 5 s keepalive on connect; this replaces it on the socket that now
 * carries the session (after TLS/STARTTLS). `socket` is not in imapflow's typings.
 */
function applyKeepAlive(client: ImapFlow, keepAlive: TcpKeepAlive): void {
  const socket = (client as unknown as { socket?: Socket | false }).socket;
  if (socket && typeof socket.setKeepAlive === 'function') {
    socket.setKeepAlive(
      keepAlive.enabled,
      keepAlive.initialDelayMs ?? DEFAULT_TCP_KEEPALIVE.initialDelayMs,
    );
  }
}
