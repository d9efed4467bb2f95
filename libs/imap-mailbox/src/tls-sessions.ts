import type { TLSSocket } from 'node:tls';

/** How long a server's session is offered for resumption (servers state 2 h or more). */
const DEFAULT_MAX_AGE_MS = 60 * 60_000;

/**
 * The newest TLS session each server gave this process, offered when the next connection
 * to it is opened: the server resumes it (RFC 8446 §2.2) instead of sending and signing its
 * certificate chain, and this side does not parse and verify that chain again. A thousand
 * logins after a restart are a thousand handshakes to one server; resumed, each costs both
 * ends a fraction. A session the server no longer accepts costs nothing: the handshake is
 * then a full one, the certificate checked as always. Keyed by the caller's server entry
 * (its host, port, name and trusted CA together), so a session is only offered where it was
 * made.
 */
export class TlsSessions<K extends object> {
  readonly #byServer = new WeakMap<K, { session: Buffer; at: number }>();

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
   * Keeps the session of a connection to `server` once its handshake is done (a TLS 1.3
   * server sends its tickets just after; a login has taken longer than that).
   */
  keep(server: K, socket: Pick<TLSSocket, 'getSession'> | undefined): void {
    const session = socket?.getSession?.();
    if (session !== undefined && session.length > 0) {
      this.#byServer.set(server, { session, at: this.now() });
    }
  }
}
