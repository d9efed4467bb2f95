/** RFC 2177: a client re-issues IDLE at least every 29 minutes, or the server may log it out. */
export const MAX_IDLE_RENEW_MS = 29 * 60_000;

/**
 * One connection's IDLE renewal interval: the configured one ±10 %, at most 29 min. The
 * connections of a start all log in within seconds; with one interval for all they would
 * end and begin IDLE again together, every time (on Dovecot each one wakes a hibernated
 * session: a process started per mailbox, all at once). On average the configured interval.
 */
export function idleRenewalFor(configuredMs: number, random: () => number = Math.random): number {
  return Math.min(MAX_IDLE_RENEW_MS, Math.round(configuredMs * (0.9 + 0.2 * random())));
}
