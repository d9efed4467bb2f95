import type { KnownAudio, StoredMessage } from '@vmsync/asterisk-spool';
import type { VoicemailAudio, VoicemailState } from '@vmsync/events';

/**
 * What the watcher remembers of a message between scans (in Redis, so a restart only
 * publishes real changes): its state, and the facts an event about it must carry even
 * after the message is gone (a purge leaves no files to read them from).
 */
export interface WatchedMessage {
  folder: VoicemailState['folder'];
  heard: boolean;
  callerId: string;
  origTime: number;
  duration: number;
  audio: VoicemailAudio | null;
  /**
   * The identity of the file `audio` was read from (StoredMessage.audioFile): given back to
   * the store at the start-up snapshot, so a restart does not hash every voicemail again.
   * Absent in what older versions wrote, and where the store cannot tell.
   */
  audioFile?: string;
}

export function toWatched(m: StoredMessage): WatchedMessage {
  return {
    ...m.state,
    ...m.meta,
    audio: m.audio,
    ...(m.audioFile === undefined ? {} : { audioFile: m.audioFile }),
  };
}

/** What the store may use instead of reading audio again (VoicemailStore.listMessages). */
export function knownAudio(watched: Iterable<WatchedMessage>): KnownAudio[] {
  const known: KnownAudio[] = [];
  for (const w of watched) {
    if (w.audioFile !== undefined && w.audio)
      known.push({ file: w.audioFile, sha256: w.audio.sha256 });
  }
  return known;
}

export function stateOf(w: Pick<WatchedMessage, 'folder' | 'heard'>): VoicemailState {
  return { folder: w.folder, heard: w.heard };
}
