import {
  classifyMailboxFailure,
  describeFailure,
  type FolderSyncStore,
  type MailboxConnector,
  MailboxError,
  type MailboxFailureKind,
  type MailboxRetryPolicy,
  MailboxSession,
  type MailboxState,
  type MailboxStatusStore,
  type ObservedEmail,
  retryDelay,
  type WakeReason,
  withDeadline,
} from '@vmsync/imap-mailbox';
import type { ObservationLog } from '@vmsync/store';
import type { Logger } from '@vmsync/telemetry';
import { presentIds } from './change-detector.js';
import type { ChangePublisher } from './change-publisher.js';
import type { WatcherMetrics } from './metrics.js';
import type { WatchLease } from './watch-lease.js';

export interface MailboxWatchDeps {
  connector: MailboxConnector;
  lease: WatchLease;
  statuses: MailboxStatusStore;
  changes: ChangePublisher;
  observations: ObservationLog<ObservedEmail>;
  folderStore: FolderSyncStore;
  senders: readonly string[];
  pollIntervalMs: number;
  /**
   * After a look a change caused (or the first), the IDLE is begun again once this much
   * later (±20 %): a change the server held back is seen then, not at the next renewal
   * (MailboxSession.renewIdleAt). 0: never.
   */
  idleFollowUpMs: number;
  /** A look (or connect) that takes longer is abandoned and the connection closed. */
  lookTimeoutMs: number;
  retry: MailboxRetryPolicy;
  instance: string;
  logger: Logger;
  metrics: WatcherMetrics;
  /** The deployment clock: when a look began, against the actuator's applied times. */
  clock: { now(): number };
}

/** Resolves after `ms` or when `signal` aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

/** How soon to look again when an actuator finished too close to a look for it to judge. */
const RECHECK_MS = 500;

const jitter = (ms: number) => Math.round(ms * (0.8 + Math.random() * 0.4));

/**
 * Watches one mailbox for as long as this instance holds it: takes the lease, connects,
 * looks at every notification (start-up snapshot), then IDLEs on INBOX and looks again
 * on each push and on a jittered interval (Trash and the other folders have no push).
 * Any failure ends the connection; the next attempt waits by the kind of failure, and an
 * admin problem is reported as `needs-admin-action` and retried only rarely.
 */
export class MailboxWatch {
  readonly #stop = new AbortController();
  readonly #log: Logger;
  #running: Promise<void> | undefined;
  #state: MailboxState | undefined;
  /** Cuts short the wait after an admin failure (the credentials changed). */
  #wake = new AbortController();

  constructor(
    readonly account: string,
    private readonly d: MailboxWatchDeps,
  ) {
    this.#log = d.logger.child({ account });
  }

  start(): void {
    this.#running ??= this.#run().catch((error: unknown) => {
      this.#log.error({ err: describeFailure(error) }, 'mailbox watch ended unexpectedly');
    });
  }

  /** The credentials changed: a mailbox waiting for an admin is tried again now. */
  retryNow(): void {
    if (this.#state === 'needs-admin-action') this.#wake.abort();
  }

  /** Stops watching, closes the connection, lets go of the lease. */
  async stop(options: { withdrawn?: boolean } = {}): Promise<void> {
    this.#stop.abort();
    // A connect in flight can take its whole timeout; the lease expires on its own then.
    await Promise.race([this.#running, new Promise((r) => setTimeout(r, 5_000).unref())]);
    this.d.metrics.setState(this.account, null);
    if (options.withdrawn) await this.d.statuses.remove(this.account).catch(() => undefined);
  }

  async #status(
    state: MailboxState,
    extra: { error?: unknown; attempts?: number; nextAttemptAt?: number | null } = {},
  ): Promise<void> {
    const failure = extra.error === undefined ? null : describeFailure(extra.error);
    const changed = state !== this.#state;
    this.#state = state;
    this.d.metrics.setState(this.account, state);
    if (!changed && failure === null) return;
    await this.d.statuses
      .put({
        account: this.account,
        state,
        code: failure?.code ?? null,
        message: failure?.message ?? null,
        since: Date.now(),
        attempts: extra.attempts ?? 0,
        nextAttemptAt: extra.nextAttemptAt ?? null,
        instance: this.d.instance,
      })
      .catch((error: unknown) =>
        this.#log.warn({ err: describeFailure(error) }, 'cannot record mailbox status'),
      );
  }

  async #run(): Promise<void> {
    const stop = this.#stop.signal;
    let failures = 0;
    let lastKind: MailboxFailureKind | undefined;
    let fresh = false;
    await this.#status('connecting');
    while (!stop.aborted) {
      const holding = new AbortController();
      const onStop = () => holding.abort();
      stop.addEventListener('abort', onStop, { once: true });
      let renew: NodeJS.Timeout | undefined;
      let session: MailboxSession | undefined;
      try {
        if (!(await this.d.lease.acquire(this.account))) {
          this.#log.debug({}, 'mailbox held by another watcher; waiting');
          await sleep(this.d.lease.ttlMs / 4, stop);
          continue;
        }
        renew = setInterval(() => {
          this.d.lease.acquire(this.account).then(
            (held) => {
              if (!held) {
                this.#log.warn({}, 'lease lost to another watcher; letting go');
                holding.abort();
              }
            },
            () => undefined,
          );
        }, this.d.lease.ttlMs / 3);
        const client = await this.d.connector.connect(this.account, {
          fresh,
          signal: holding.signal,
        });
        session = await MailboxSession.open(client, {
          account: this.account,
          senders: this.d.senders,
          readOnly: true,
          folderStore: this.d.folderStore,
          onNotice: (notice) => this.#log.info(notice, 'folder notice'),
        });
        await this.#watch(session, holding.signal, () => {
          failures = 0;
          lastKind = undefined;
        });
      } catch (error) {
        if (stop.aborted) break;
        if (holding.signal.aborted) continue;
        const kind = classifyMailboxFailure(error);
        failures = kind === lastKind ? failures + 1 : 1;
        lastKind = kind;
        fresh = true;
        const delayMs = retryDelay(kind, failures, this.d.retry);
        this.d.metrics.failure(kind);
        const state: MailboxState =
          kind === 'admin' ? 'needs-admin-action' : kind === 'throttled' ? 'throttled' : 'retrying';
        const { code, message } = describeFailure(error);
        const log = { kind, code, err: message, attempts: failures, retryInMs: delayMs };
        if (kind === 'admin') this.#log.error(log, 'mailbox needs admin action');
        else this.#log.warn(log, 'mailbox failed; retrying');
        await this.#status(state, {
          error,
          attempts: failures,
          nextAttemptAt: Date.now() + delayMs,
        });
        await session?.close();
        session = undefined;
        this.#wake = new AbortController();
        await sleep(delayMs, AbortSignal.any([stop, this.#wake.signal]));
      } finally {
        clearInterval(renew);
        stop.removeEventListener('abort', onStop);
        await session?.close();
      }
    }
    await this.d.lease.release(this.account).catch(() => undefined);
  }

  async #watch(session: MailboxSession, signal: AbortSignal, healthy: () => void): Promise<void> {
    const known = await this.d.observations.all(this.account);
    let startup = true;
    let woken: WakeReason = 'changed';
    for (;;) {
      const started = performance.now();
      const applied = await this.d.changes.appliedBefore(this.account, this.d.clock.now());
      // A periodic check trusts IDLE for INBOX, unless vmsync changed something there that
      // the look must confirm (a stale INBOX would make its own change look undone). So
      // does a push that only changed flags: nothing moved, only INBOX is read again.
      const fresh =
        applied.decided.size > 0 ||
        (woken !== 'timeout' && !(woken === 'changed' && session.onlyFlagsChanged));
      const look = await withDeadline(
        session.look(presentIds(known), { fresh }),
        this.d.lookTimeoutMs,
        'a look at the mailbox',
        () => session.client.close(),
      );
      this.d.metrics.lookSeconds.observe((performance.now() - started) / 1000);
      const { published, recheckSoon } = await this.d.changes.publish(
        this.account,
        look,
        known,
        startup,
        applied,
      );
      if (startup) {
        startup = false;
        healthy();
        await this.#status('watching');
        this.#log.info({ emails: look.emails.size, published }, 'watching mailbox');
      } else if (published > 0) {
        this.#log.debug({ published }, 'changes published');
      }
      if (woken !== 'timeout' && this.d.idleFollowUpMs > 0) {
        session.renewIdleAt(jitter(this.d.idleFollowUpMs));
      }
      const wait = recheckSoon ? RECHECK_MS : jitter(this.d.pollIntervalMs);
      const reason = await session.waitForChange(wait, signal);
      woken = reason;
      if (reason === 'aborted') return;
      if (reason === 'closed') {
        const cause = session.lastError;
        throw new MailboxError(
          'MAILBOX_CLOSED',
          `the IMAP connection closed${cause ? `: ${cause.message}` : ''}`,
          { retriable: true, cause },
        );
      }
    }
  }
}
