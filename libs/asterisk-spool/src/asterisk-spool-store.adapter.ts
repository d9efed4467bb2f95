import { stat } from 'node:fs/promises';
import { VmsyncError } from '@vmsync/errors';
import type { VoicemailAction } from '@vmsync/events';
import { parseMailboxId } from './spool-layout.js';
import { findInScan, type SpoolMessage, SpoolReader, type UnknownMessage } from './spool-reader.js';
import { type ChangeHint, SpoolWatcher, type SpoolWatcherOptions } from './spool-watcher.js';
import { SpoolWriter } from './spool-writer.js';
import type { VoicemailConf, VoicemailUser } from './voicemail-conf.js';
import { loadVoicemailConf } from './voicemail-conf-file.js';
import type {
  ApplyResult,
  KnownAudio,
  MailboxHint,
  MessageListing,
  PurgedStoredMessage,
  StoredMessage,
  StoreMailbox,
  UnknownStoredMessage,
  VoicemailStore,
} from './voicemail-store.port.js';

export interface AsteriskSpoolStoreOptions {
  /** `/var/spool/asterisk/voicemail`. */
  spoolDir: string;
  /** `/etc/asterisk/voicemail.conf`; re-read when its mtime changes. */
  confPath: string;
  watcher?: SpoolWatcherOptions;
  lockTimeoutMs?: number;
}

/** The app_voicemail file-storage adapter of VoicemailStore. */
export class AsteriskSpoolStore implements VoicemailStore {
  readonly reader: SpoolReader;
  private readonly writer: SpoolWriter;
  private readonly options: AsteriskSpoolStoreOptions;
  private conf: { mtimeMs: number; conf: VoicemailConf } | null = null;

  constructor(options: AsteriskSpoolStoreOptions) {
    this.options = options;
    this.reader = new SpoolReader(options.spoolDir);
    this.writer = new SpoolWriter(options.spoolDir, {
      reader: this.reader,
      ...(options.lockTimeoutMs === undefined ? {} : { lockTimeoutMs: options.lockTimeoutMs }),
    });
  }

  /** The parsed voicemail.conf (with its warnings), reloaded when the file changed. */
  async voicemailConf(): Promise<VoicemailConf> {
    const mtimeMs = (await stat(this.options.confPath).catch(() => null))?.mtimeMs ?? -1;
    if (this.conf === null || this.conf.mtimeMs !== mtimeMs) {
      this.conf = { mtimeMs, conf: await loadVoicemailConf(this.options.confPath) };
    }
    return this.conf.conf;
  }

  async listMailboxes(): Promise<StoreMailbox[]> {
    return (await this.voicemailConf()).users.map((u) => ({
      id: u.id,
      context: u.context,
      mailbox: u.mailbox,
      fullname: u.fullname,
      notify: u.notify,
    }));
  }

  async listMessages(mailbox: string, known: readonly KnownAudio[] = []): Promise<MessageListing> {
    const { context, box } = split(mailbox);
    this.reader.rememberDigests(known);
    const scan = await this.reader.scanMailbox(context, box);
    return {
      mailbox: scan.mailbox,
      messages: scan.messages.map(toStored),
      unknown: scan.unknown.map(toUnknown),
      complete: scan.complete,
      ...(scan.version === undefined ? {} : { version: scan.version }),
    };
  }

  version(mailbox: string): Promise<string> {
    const { context, box } = split(mailbox);
    return this.reader.mailboxVersion(context, box);
  }

  async readMessage(
    mailbox: string,
    msgId: string,
  ): Promise<StoredMessage | UnknownStoredMessage | PurgedStoredMessage> {
    const { context, box } = split(mailbox);
    const found = findInScan(await this.reader.scanMailbox(context, box), msgId);
    if (found.status === 'known') return toStored(found);
    if (found.status === 'unknown') return toUnknown(found);
    return found;
  }

  async *watch(signal: AbortSignal): AsyncIterable<MailboxHint> {
    // Hints are idempotent, so the queue is a set: a burst on one mailbox waits as one.
    const queued = new Map<string, MailboxHint>();
    let wake: (() => void) | null = null;
    const watcher = new SpoolWatcher(
      this.options.spoolDir,
      (h: ChangeHint) => {
        if (!queued.has(h.mailbox)) queued.set(h.mailbox, { mailbox: h.mailbox, reason: h.reason });
        wake?.();
      },
      this.options.watcher,
    );
    const onAbort = () => wake?.();
    signal.addEventListener('abort', onAbort);
    try {
      await watcher.start();
      while (!signal.aborted) {
        if (queued.size === 0) {
          await new Promise<void>((resolve) => {
            wake = resolve;
          });
          wake = null;
          continue;
        }
        const [id, hint] = queued.entries().next().value as [string, MailboxHint];
        queued.delete(id);
        yield hint;
      }
    } finally {
      signal.removeEventListener('abort', onAbort);
      await watcher.close();
    }
  }

  async apply(mailbox: string, msgId: string, action: VoicemailAction): Promise<ApplyResult> {
    const { context, box } = split(mailbox);
    const user = (await this.voicemailConf()).users.find((u) => u.id === mailbox);
    return this.writer.apply(context, box, msgId, action, user ? limitsOf(user) : undefined);
  }
}

function limitsOf(user: VoicemailUser): { maxMsg: number; maxDeleted: number } {
  return { maxMsg: user.maxMsg, maxDeleted: user.maxDeleted };
}

function split(mailbox: string): { context: string; box: string } {
  const parsed = parseMailboxId(mailbox);
  if (!parsed) throw new VmsyncError('SPOOL_BAD_MAILBOX', `'${mailbox}' is not mailbox@context`);
  return { context: parsed.context, box: parsed.mailbox };
}

function toStored(m: SpoolMessage): StoredMessage {
  return {
    status: 'known',
    mailbox: m.mailbox,
    msgId: m.msgId,
    state: m.state,
    audio: m.audio,
    audioFile: m.audioFile,
    meta: {
      callerId: m.metadata.callerid,
      origTime: m.metadata.origtime,
      duration: m.metadata.duration,
    },
    location: `${m.location.folder}/${m.location.msgnum}`,
  };
}

function toUnknown(u: UnknownMessage): UnknownStoredMessage {
  return {
    status: 'unknown',
    mailbox: u.mailbox,
    msgId: u.msgId,
    reason: u.reason,
    detail: u.detail,
  };
}
