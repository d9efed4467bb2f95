import type { TLSSocket } from 'node:tls';

/** How long a server's session is offered for resumption (servers state 2 h or more). */
const DEFAULT_MAX_AGE_MS = 60 * 60_000;

/** Full handshakes in a row after which the kept session is given up for the newest. */
const MISSES_BEFORE_REPLACING = 3;

/**
 * A TLS session per server, offered when the next connection to it is opened: the server
 * resumes it (RFC 8446 §2.2) instead of sending and signing its certificate chain, and this
 * side does not parse and verify that chain again. A thousand logins after a restart are a
 * thousand handshakes to one server; resumed, each costs both ends a fraction. A session
 * the server does not accept costs nothing: the handshake is then a full one, the
 * certificate checked as always.
 *
 * The kept session is not replaced by every newer one: a server may run several TLS
 * processes each with its own ticket key (Dovecot's imap-login: connections alternate
 * between them), and always offering the last connection's session then never resumes.
 * It is replaced after a few full handshakes in a row, or once it has aged. Keyed by the
 * caller's server entry (its host, port, name and trusted CA together), so a session is
 * only offered where it was made.
 */
export class TlsSessions<K extends object> {
  readonly #byServer = new WeakMap<K, { session: Buffer; at: number; misses: number }>();

  constructor(
    private readonly maxAgeMs = DEFAULT_MAX_AGE_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** The session to offer `server`, if one is fresh enough. */
  offer(server: K): Buffer | undefined {
    const kept = this.#byServer.get(server);
    if (kept === undefined) return undefined;
    if (this.now() - kept.at > this.maxAgeMs) {
      this.#byServer.delete(server);
      return undefined;
    }
    return kept.session;
  }

  /**
   * Learns from a connection to `server` once its handshake is done (a TLS 1.3 server sends
   * its tickets just after; a login has taken longer than that): a resumed one refreshes the
   * kept session, a full one replaces it only after MISSES_BEFORE_REPLACING in a row.
   */
  keep(server: K, socket: Pick<TLSSocket, 'getSession' | 'isSessionReused'> | undefined): void {
    const session = socket?.getSession?.();
    if (socket === undefined || session === undefined || session.length === 0) return;
    const kept = this.#byServer.get(server);
    const fresh = { session, at: this.now(), misses: 0 };
    if (kept === undefined || socket.isSessionReused()) {
      this.#byServer.set(server, fresh);
    } else if (++kept.misses >= MISSES_BEFORE_REPLACING) {
      this.#byServer.set(server, fresh);
    }
  }
}
