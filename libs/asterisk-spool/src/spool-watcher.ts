import { type FSWatcher, watch } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { isSafeSegment, MESSAGE_SLOT_FILE, mailboxId } from './spool-layout.js';

/** "Something in this mailbox may have changed: read it again." Never a state by itself. */
export interface ChangeHint {
  /** `mailbox@context`. */
  mailbox: string;
  context: string;
  box: string;
  /** `fs`: a file event; `discovered`: a new mailbox directory; `rescan`: the periodic safety net. */
  reason: 'fs' | 'discovered' | 'rescan';
}

export interface SpoolWatcherOptions {
  /** Events of one mailbox within this window become one hint. At most 5 ms by default. */
  debounceMs?: number;
  /**
   * Every mailbox is hinted this often, in case an event was lost (0 = never). The hints
   * are spread over the interval (a slice each second), not sent at once: a thousand
   * mailboxes scanned together held every user's change back behind them.
   */
  rescanIntervalMs?: number;
  /** A directory that could not be watched (e.g. the inotify watch limit); the rescan covers it. */
  onError?: (error: Error, dir: string) => void;
}

type Level = 'root' | 'context' | 'mailbox' | 'folder';

/** How often the rescan hints its next slice of mailboxes. */
const SWEEP_TICK_MS = 1_000;

interface Watched {
  watcher: FSWatcher;
  level: Level;
  context: string;
  box: string;
}

/**
 * Watches an app_voicemail spool with fs.watch. Linux has no recursive watch in Node 20,
 * so every directory gets its own: the spool (new contexts), each context (new
 * mailboxes), each mailbox (new folders) and each folder (message files, `.lock`).
 * libuv puts them all on one inotify instance; each costs one of `max_user_watches`.
 */
export class SpoolWatcher {
  readonly spoolDir: string;
  private readonly onHint: (hint: ChangeHint) => void;
  private readonly debounceMs: number;
  private readonly rescanIntervalMs: number;
  private readonly onError: (error: Error, dir: string) => void;
  private readonly watched = new Map<string, Watched>();
  private readonly pending = new Map<string, NodeJS.Timeout>();
  private readonly mailboxes = new Map<string, { context: string; box: string }>();
  private rescanTimer: NodeJS.Timeout | null = null;
  /** The sweep's place: mailboxes still to hint in this round of the rescan. */
  private sweep: Array<{ context: string; box: string }> = [];
  private sweepSlice = 0;
  /** A round's re-walk of the tree is under way (a large spool can take over a tick). */
  private walking = false;
  private closed = false;

  constructor(
    spoolDir: string,
    onHint: (hint: ChangeHint) => void,
    options: SpoolWatcherOptions = {},
  ) {
    this.spoolDir = path.resolve(spoolDir);
    this.onHint = onHint;
    this.debounceMs = options.debounceMs ?? 5;
    this.rescanIntervalMs = options.rescanIntervalMs ?? 60_000;
    this.onError = options.onError ?? (() => undefined);
  }

  /** Sets up every watch; resolves once the tree present now is watched. */
  async start(): Promise<void> {
    await this.discover(false);
    if (this.rescanIntervalMs > 0) {
      const tickMs = Math.min(SWEEP_TICK_MS, this.rescanIntervalMs);
      const ticks = Math.max(1, Math.floor(this.rescanIntervalMs / tickMs));
      this.rescanTimer = setInterval(() => void this.sweepTick(ticks), tickMs);
      this.rescanTimer.unref();
    }
  }

  /** Watched directories (for metrics and tests). */
  get watchCount(): number {
    return this.watched.size;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.rescanTimer) clearInterval(this.rescanTimer);
    for (const t of this.pending.values()) clearTimeout(t);
    this.pending.clear();
    for (const w of this.watched.values()) w.watcher.close();
    this.watched.clear();
  }

  /**
   * One tick of the rescan, `ticks` to a round: a round begins by re-walking the tree
   * (adding any watch that was lost), and each tick hints its share of the mailboxes, so
   * each is hinted once a round.
   */
  private async sweepTick(ticks: number): Promise<void> {
    if (this.closed || this.walking) return;
    if (this.sweep.length === 0) {
      this.walking = true;
      try {
        await this.discover(false).catch((e: unknown) => this.onError(e as Error, this.spoolDir));
      } finally {
        this.walking = false;
      }
      this.sweep = [...this.mailboxes.values()];
      this.sweepSlice = Math.ceil(this.sweep.length / ticks);
    }
    for (const { context, box } of this.sweep.splice(0, this.sweepSlice)) {
      this.emitNow(context, box, 'rescan');
    }
  }

  private async discover(announce: boolean): Promise<void> {
    this.add(this.spoolDir, 'root', '', '');
    for (const context of await subdirs(this.spoolDir)) await this.addContext(context, announce);
  }

  private async addContext(context: string, announce: boolean): Promise<void> {
    if (!isSafeSegment(context)) return;
    const dir = path.join(this.spoolDir, context);
    this.add(dir, 'context', context, '');
    for (const box of await subdirs(dir)) await this.addMailbox(context, box, announce);
  }

  private async addMailbox(context: string, box: string, announce: boolean): Promise<void> {
    if (!isSafeSegment(box)) return;
    const dir = path.join(this.spoolDir, context, box);
    const isNew = !this.mailboxes.has(mailboxId(context, box));
    this.mailboxes.set(mailboxId(context, box), { context, box });
    this.add(dir, 'mailbox', context, box);
    for (const folder of await subdirs(dir))
      this.add(path.join(dir, folder), 'folder', context, box);
    if (announce && isNew) this.emitNow(context, box, 'discovered');
  }

  private add(dir: string, level: Level, context: string, box: string): void {
    if (this.closed || this.watched.has(dir)) return;
    let watcher: FSWatcher;
    try {
      watcher = watch(dir, { persistent: false }, (_event, filename) =>
        this.onEvent(dir, level, context, box, filename === null ? null : String(filename)),
      );
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') this.onError(error as Error, dir);
      return;
    }
    watcher.on('error', (error) => {
      // The directory went away or the watch broke: drop it; the rescan re-adds it.
      watcher.close();
      this.watched.delete(dir);
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') this.onError(error, dir);
    });
    this.watched.set(dir, { watcher, level, context, box });
  }

  private onEvent(
    dir: string,
    level: Level,
    context: string,
    box: string,
    name: string | null,
  ): void {
    if (this.closed) return;
    switch (level) {
      case 'root':
        if (name !== null)
          void this.addContext(name, true).catch((e) => this.onError(e as Error, dir));
        return;
      case 'context':
        if (name !== null)
          void this.addMailbox(context, name, true).catch((e) => this.onError(e as Error, dir));
        return;
      case 'mailbox':
        // A folder appeared (or went): watch it, and look at the mailbox.
        if (name !== null) this.add(path.join(dir, name), 'folder', context, box);
        if (name === null || !name.includes('.')) this.schedule(context, box);
        return;
      case 'folder':
        // Message files, and `.lock` going away (a writer just finished).
        if (name === null || name === '.lock' || MESSAGE_SLOT_FILE.test(name))
          this.schedule(context, box);
        return;
    }
  }

  private schedule(context: string, box: string): void {
    const id = mailboxId(context, box);
    if (this.pending.has(id)) return;
    this.pending.set(
      id,
      setTimeout(() => {
        this.pending.delete(id);
        this.emitNow(context, box, 'fs');
      }, this.debounceMs),
    );
  }

  private emitNow(context: string, box: string, reason: ChangeHint['reason']): void {
    if (this.closed) return;
    this.onHint({ mailbox: mailboxId(context, box), context, box, reason });
  }
}

async function subdirs(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir, { withFileTypes: true }))
      .filter((e) => e.isDirectory() || e.isSymbolicLink())
      .map((e) => e.name)
      .filter((n) => !n.startsWith('.'));
  } catch {
    return [];
  }
}
