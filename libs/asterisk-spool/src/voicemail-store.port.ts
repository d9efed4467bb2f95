import type { PairKind, VoicemailAction, VoicemailAudio, VoicemailState } from '@vmsync/events';

/**
 * The voicemail side of vmsync (DESIGN.md §7): every voicemail store adapter implements
 * this. Mailboxes are named `mailbox@context` (VoicemailRef.mailbox); messages by their
 * store-wide stable id (Asterisk's msg_id).
 */
export interface VoicemailStore {
  /** Every configured mailbox, synchronized or not (`notify` null: not synchronized). */
  listMailboxes(): Promise<StoreMailbox[]>;
  /**
   * Every message of a mailbox, readable or not; `complete` says whether absence means
   * purged. `known`: audio digests the caller kept from earlier listings (by `audioFile`),
   * which the store may use instead of reading that audio again.
   */
  listMessages(mailbox: string, known?: readonly KnownAudio[]): Promise<MessageListing>;
  /** One message; `purged` only when the store could be read whole. */
  readMessage(
    mailbox: string,
    msgId: string,
  ): Promise<StoredMessage | UnknownStoredMessage | PurgedStoredMessage>;
  /**
   * Optional, cheap: a token that changes whenever anything in the mailbox may have
   * changed (equal to MessageListing.version when nothing did). Lets a periodic rescan
   * skip an unchanged mailbox.
   */
  version?(mailbox: string): Promise<string>;
  /** Hints that a mailbox may have changed; ends when `signal` aborts. */
  watch(signal: AbortSignal): AsyncIterable<MailboxHint>;
  /** "Make it so" for one message; throws a retriable VmsyncError when the message cannot be read now. */
  apply(mailbox: string, msgId: string, action: VoicemailAction): Promise<ApplyResult>;
}

export interface StoreMailbox {
  /** `mailbox@context`. */
  id: string;
  context: string;
  mailbox: string;
  fullname: string;
  /** Who is notified and whether the email carries the audio (DESIGN.md §5). */
  notify: { email: string; kind: PairKind } | null;
}

export interface MessageMeta {
  callerId: string;
  /** Unix seconds. */
  origTime: number;
  /** Seconds. */
  duration: number;
}

export interface StoredMessage {
  status: 'known';
  mailbox: string;
  msgId: string;
  state: VoicemailState;
  audio: VoicemailAudio;
  /** The identity of the audio's file, where the store can tell: the same means the same bytes. */
  audioFile?: string;
  meta: MessageMeta;
  /** Where the store keeps it now (e.g. `INBOX/3`); changes on every move. */
  location: string;
}

/** A digest kept from an earlier listing (StoredMessage.audioFile and audio.sha256). */
export interface KnownAudio {
  file: string;
  sha256: string;
}

/** Seen but not readable now (being written, corrupt, unsafe): look again, never treat as deleted. */
export interface UnknownStoredMessage {
  status: 'unknown';
  mailbox: string;
  msgId: string | null;
  reason: string;
  detail: string;
}

export interface PurgedStoredMessage {
  status: 'purged';
  mailbox: string;
  msgId: string;
  state: VoicemailState;
}

export interface MessageListing {
  mailbox: string;
  messages: StoredMessage[];
  unknown: UnknownStoredMessage[];
  complete: boolean;
  /** The mailbox's version (see VoicemailStore.version) as this listing read it. */
  version?: string;
}

export interface MailboxHint {
  mailbox: string;
  reason: 'fs' | 'discovered' | 'rescan';
}

export interface ApplyResult {
  outcome: 'applied' | 'already' | 'not-found';
  before: VoicemailState;
  after: VoicemailState;
}
