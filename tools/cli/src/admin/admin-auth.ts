import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** Equal strings in time that does not depend on where they differ (both are hashed first). */
export function constantTimeEqual(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a, 'utf8').digest();
  const hb = createHash('sha256').update(b, 'utf8').digest();
  return timingSafeEqual(ha, hb);
}

export interface Session {
  /** The token a form must echo back (CSRF). */
  csrf: string;
  expiresAt: number;
}

export const SESSION_COOKIE = 'vmsync_admin';

/**
 * Signed-in administrators, in this process's memory: a restart signs everyone out.
 * The cookie holds a random id only; nothing in it can be forged or read.
 */
export class Sessions {
  readonly #byId = new Map<string, Session>();

  constructor(
    private readonly ttlMs = 8 * 3600_000,
    private readonly now: () => number = Date.now,
  ) {}

  create(): { id: string; session: Session } {
    const id = randomBytes(32).toString('base64url');
    const session = {
      csrf: randomBytes(32).toString('base64url'),
      expiresAt: this.now() + this.ttlMs,
    };
    this.#byId.set(id, session);
    return { id, session };
  }

  get(id: string | undefined): Session | undefined {
    if (id === undefined) return undefined;
    const s = this.#byId.get(id);
    if (s === undefined) return undefined;
    if (s.expiresAt <= this.now()) {
      this.#byId.delete(id);
      return undefined;
    }
    return s;
  }

  end(id: string | undefined): void {
    if (id !== undefined) this.#byId.delete(id);
  }
}

export function cookieOf(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

export function sessionCookie(id: string, secure: boolean, maxAgeS: number): string {
  return `${SESSION_COOKIE}=${id}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAgeS}${secure ? '; Secure' : ''}`;
}

/**
 * A state-changing request comes from the page itself: its Origin (or, lacking one, its
 * Referer) is the page's own origin. Browsers send Origin on every POST.
 */
export function sameOrigin(
  expected: string,
  headers: { origin?: string | undefined; referer?: string | undefined },
): boolean {
  if (headers.origin !== undefined) return headers.origin === expected;
  if (headers.referer !== undefined) {
    try {
      return new URL(headers.referer).origin === expected;
    } catch {
      return false;
    }
  }
  return false;
}

/**
 * Wrong passwords allowed per window, over all clients (the page is meant for a few
 * administrators on loopback): beyond it sign-in is refused until the window passes.
 */
export class LoginThrottle {
  #failures: number[] = [];

  constructor(
    private readonly max = 10,
    private readonly windowMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  blocked(): boolean {
    const since = this.now() - this.windowMs;
    this.#failures = this.#failures.filter((t) => t > since);
    return this.#failures.length >= this.max;
  }

  failed(): void {
    this.#failures.push(this.now());
  }
}
