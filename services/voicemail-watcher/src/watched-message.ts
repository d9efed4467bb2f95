import type { StoredMessage } from '@vmsync/asterisk-spool';
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
}

export function toWatched(m: StoredMessage): WatchedMessage {
  return { ...m.state, ...m.meta, audio: m.audio };
}

export function stateOf(w: Pick<WatchedMessage, 'folder' | 'heard'>): VoicemailState {
  return { folder: w.folder, heard: w.heard };
}
