import type { MessageListing, StoreMailbox, VoicemailStore } from '@vmsync/asterisk-spool';
import type { Publisher, PublishItem } from '@vmsync/bus';
import {
  NEVER,
  type PartTimes,
  type TopicNames,
  touch,
  userKey,
  type VoicemailState,
  voicemailChangedParts,
} from '@vmsync/events';
import type { DeploymentClock, IntentLog, ObservationLog } from '@vmsync/store';
import { Attr, type Logger, mailboxHash, type Span, startObservation } from '@vmsync/telemetry';
import { diffMailbox, type Transition } from './diff-mailbox.js';
import { mailboxDeclared, voicemailEvent } from './voicemail-event.js';
import { knownAudio, stateOf, type WatchedMessage } from './watched-message.js';

export interface VoicemailWatcherOptions {
  server: string;
  store: VoicemailStore;
  publisher: Publisher;
  topics: TopicNames;
  observations: ObservationLog<WatchedMessage>;
  intents: IntentLog<VoicemailState>;
  clock: DeploymentClock;
  logger: Logger;
  /** Safety net behind file-system notifications. */
  rescanIntervalMs: number;
  /** Mailboxes scanned at once during the start-up snapshot. */
  concurrency?: number;
  onPublished?(transition: Transition, phase: 'snapshot' | 'change', echo: boolean): void;
}

/**
 * Observes the spool and publishes what changed; it never changes anything. One scan
 * per mailbox at a time: a hint during a scan makes one more scan after it.
 */
export class VoicemailWatcherApp {
  readonly #abort = new AbortController();
  readonly #running = new Map<string, Promise<void>>();
  readonly #again = new Set<string>();
  /** Mailboxes with something unreadable: looked at again with a growing delay. */
  readonly #retryDelay = new Map<string, number>();
  /** Each mailbox's version (VoicemailStore.version) at its last whole scan. */
  readonly #versions = new Map<string, string>();
  #mailboxes = new Map<string, StoreMailbox>();
  /** Accounts declared on the `mailboxes` topic by this process (all of them at start). */
  readonly #declared = new Set<string>();
  /** False once the spool watch has failed: the interval then scans every mailbox. */
  #watching = true;
  #loop: Promise<void> | undefined;
  #timer: NodeJS.Timeout | undefined;
  #snapshotDone = false;

  constructor(private readonly o: VoicemailWatcherOptions) {}

  get ready(): boolean {
    return this.#snapshotDone;
  }

  async start(): Promise<void> {
    await this.#loadMailboxes();
    this.#loop = this.#watch();
    const started = performance.now();
    await this.#forEachLimited([...this.#mailboxes.keys()], (id) => this.scan(id, 'snapshot'));
    this.#snapshotDone = true;
    this.o.logger.info(
      { mailboxes: this.#mailboxes.size, ms: Math.round(performance.now() - started) },
      'start-up snapshot published',
    );
    this.#timer = setInterval(() => void this.#rescanAll(), this.o.rescanIntervalMs);
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#abort.abort();
    await this.#loop;
    await Promise.all(this.#running.values());
  }

  /**
   * Scans one mailbox and publishes its transitions (all of them, for a snapshot). A
   * `rescan` (the safety net for lost file events) first asks the store whether anything
   * in the mailbox changed since its last whole scan, and stops there if not.
   */
  scan(mailboxId: string, phase: 'snapshot' | 'change' | 'rescan' = 'change'): Promise<void> {
    const running = this.#running.get(mailboxId);
    if (running) {
      this.#again.add(mailboxId);
      return running;
    }
    const run = this.#scanUnlessUnchanged(mailboxId, phase)
      .then((version) => {
        if (version === undefined) this.#versions.delete(mailboxId);
        else this.#versions.set(mailboxId, version);
      })
      .catch((error: unknown) => {
        this.#versions.delete(mailboxId);
        this.o.logger.warn({ mailbox: mailboxId, err: String(error) }, 'scan failed; will retry');
        this.#retryLater(mailboxId);
      })
      .finally(() => {
        this.#running.delete(mailboxId);
        if (this.#again.delete(mailboxId) && !this.#abort.signal.aborted) {
          setTimeout(() => void this.scan(mailboxId), 20).unref();
        }
      });
    this.#running.set(mailboxId, run);
    return run;
  }

  /** The mailbox's version after the scan, when it was read whole (none: scan it next time). */
  async #scanUnlessUnchanged(
    mailboxId: string,
    phase: 'snapshot' | 'change' | 'rescan',
  ): Promise<string | undefined> {
    const known = this.#versions.get(mailboxId);
    if (phase === 'rescan' && known !== undefined && this.o.store.version) {
      if ((await this.o.store.version(mailboxId)) === known) return known;
    }
    const listing = await this.#scan(mailboxId, phase === 'snapshot' ? 'snapshot' : 'change');
    return listing?.complete && listing.unknown.length === 0 ? listing.version : undefined;
  }

  async #scan(mailboxId: string, phase: 'snapshot' | 'change'): Promise<MessageListing | null> {
    const mailbox = this.#mailboxes.get(mailboxId);
    if (!mailbox?.notify) return null;
    const scope = `${this.o.server}/${mailboxId}`;
    // A start-up snapshot reads what was observed first, to give the store the audio
    // digests it already has; later scans find them in the store's own cache.
    const [listing, observed] =
      phase === 'snapshot'
        ? await this.o.observations.all(scope).then(async (observed) => {
            const known = knownAudio([...observed.values()].map((o) => o.state));
            return [await this.o.store.listMessages(mailboxId, known), observed] as const;
          })
        : await Promise.all([this.o.store.listMessages(mailboxId), this.o.observations.all(scope)]);
    const observedAt = this.o.clock.now();
    const diff = diffMailbox(listing, new Map([...observed].map(([k, v]) => [k, v.state])));
    for (const u of listing.unknown) {
      this.o.logger.warn(
        { mailbox: mailboxId, msgId: u.msgId, reason: u.reason, detail: u.detail },
        'message unreadable for now; looking again later',
      );
    }
    if (listing.unknown.length > 0) this.#retryLater(mailboxId);
    else this.#retryDelay.delete(mailboxId);

    const changed = new Set(diff.changed.map((t) => t.msgId));
    const transitions =
      phase === 'snapshot'
        ? [...diff.current, ...diff.changed.filter((t) => t.after.folder === 'purged')]
        : diff.changed;
    const items: PublishItem[] = [];
    const spans: Span[] = [];
    const writes: [
      string,
      { state: WatchedMessage; observedAt: number; userChangedAt: PartTimes },
    ][] = [];
    for (const t of transitions) {
      const key = `${this.o.server}/${mailboxId}/${t.msgId}`;
      const echoOf =
        changed.has(t.msgId) && t.before !== null
          ? await this.o.intents.matchEcho(key, t.before, stateOf(t.after))
          : null;
      const last = observed.get(t.msgId);
      const userParts =
        changed.has(t.msgId) && echoOf === null
          ? voicemailChangedParts(t.before, stateOf(t.after))
          : [];
      const userChangedAt = touch(last?.userChangedAt ?? NEVER, userParts, observedAt);
      const eventPhase =
        phase === 'snapshot' && t.after.folder !== 'purged' ? 'snapshot' : 'change';
      const envelope = voicemailEvent({
        server: this.o.server,
        mailbox,
        transition: t,
        phase: eventPhase,
        observedAt,
        echoOf,
      });
      // Each change starts its own trace: the sync it causes is one trace to the actuator.
      const observation = startObservation('voicemail-watcher observe', {
        [Attr.direction]: 'voicemail-to-email',
        [Attr.server]: this.o.server,
        [Attr.phase]: eventPhase,
        [Attr.echo]: echoOf !== null,
        [Attr.mailbox]: mailboxHash(mailbox.notify.email),
      });
      spans.push(observation.span);
      items.push({
        key: userKey(mailbox.notify.email),
        envelope: observation.trace ? { ...envelope, trace: observation.trace } : envelope,
      });
      writes.push([t.msgId, { state: t.after, observedAt, userChangedAt }]);
      this.o.onPublished?.(t, eventPhase, echoOf !== null);
    }
    if (items.length === 0) return listing;
    // Publish first, then remember: a crash in between republishes, never forgets.
    try {
      await this.o.publisher.publishBatch(this.o.topics.voicemailChanged, items);
    } finally {
      for (const span of spans) span.end();
    }
    await this.o.observations.putMany(scope, writes);
    for (const item of items) {
      const p = item.envelope.type === 'voicemail-changed' ? item.envelope.payload : null;
      if (p?.phase === 'change') {
        this.o.logger.info(
          {
            event: item.envelope.id,
            msgId: p.ref.msgId,
            mailbox: mailboxId,
            before: p.before,
            after: p.after,
            echoOf: p.echoOf,
          },
          'voicemail changed',
        );
      }
    }
    return listing;
  }

  /** 250 ms, doubling to 30 s: a file mid-write is read soon, a broken one costs little. */
  #retryLater(mailboxId: string): void {
    const delay = Math.min((this.#retryDelay.get(mailboxId) ?? 125) * 2, 30_000);
    this.#retryDelay.set(mailboxId, delay);
    setTimeout(() => {
      if (!this.#abort.signal.aborted) void this.scan(mailboxId);
    }, delay).unref();
  }

  async #loadMailboxes(): Promise<void> {
    const all = await this.o.store.listMailboxes();
    const synchronized = all.filter((m) => m.notify !== null);
    this.#mailboxes = new Map(synchronized.map((m) => [m.id, m]));
    const now = this.o.clock.now();
    // Each address once (the topic is compacted: it keeps them); a reload declares only the
    // addresses it has not declared yet (a thousand records a minute were all repeats).
    const declared = new Map<string, PublishItem>();
    for (const m of synchronized) {
      const account = (m.notify?.email ?? '').toLowerCase();
      if (this.#declared.has(account)) continue;
      declared.set(account, {
        key: userKey(account),
        envelope: mailboxDeclared(this.o.server, account, now),
      });
    }
    if (declared.size === 0) return;
    await this.o.publisher.publishBatch(this.o.topics.mailboxes, [...declared.values()]);
    for (const account of declared.keys()) this.#declared.add(account);
    this.o.logger.info(
      { mailboxes: all.length, synchronized: synchronized.length, declared: declared.size },
      'mailboxes from voicemail.conf declared',
    );
  }

  async #watch(): Promise<void> {
    try {
      for await (const hint of this.o.store.watch(this.#abort.signal)) {
        if (hint.reason === 'discovered' || !this.#mailboxes.has(hint.mailbox)) {
          await this.#loadMailboxes().catch((error: unknown) =>
            this.o.logger.warn({ err: String(error) }, 'reloading voicemail.conf failed'),
          );
        }
        void this.scan(hint.mailbox, hint.reason === 'rescan' ? 'rescan' : 'change');
      }
    } catch (error) {
      if (!this.#abort.signal.aborted) {
        this.#watching = false;
        this.o.logger.error({ err: String(error) }, 'spool watch failed; rescans continue');
      }
    }
  }

  /**
   * On the interval: voicemail.conf read again (new mailboxes scanned at once). Each mailbox
   * is scanned again by the spool watch's own rescan, spread over the same interval; only
   * if that watch has failed are they all scanned here.
   */
  async #rescanAll(): Promise<void> {
    const before = new Set(this.#mailboxes.keys());
    await this.#loadMailboxes().catch(() => undefined);
    const ids = [...this.#mailboxes.keys()].filter((id) => !this.#watching || !before.has(id));
    await this.#forEachLimited(ids, (id) => this.scan(id));
  }

  async #forEachLimited(ids: string[], work: (id: string) => Promise<void>): Promise<void> {
    const queue = [...ids];
    const workers = Array.from({ length: this.o.concurrency ?? 32 }, async () => {
      for (let id = queue.shift(); id !== undefined; id = queue.shift()) await work(id);
    });
    await Promise.all(workers);
  }
}
