import { z } from 'zod';

/** DESIGN.md §2: a voicemail's folder. `purged` means gone for good. */
export const VoicemailFolder = z.enum(['new', 'saved', 'deleted', 'purged']);
export type VoicemailFolder = z.infer<typeof VoicemailFolder>;

export const VoicemailState = z.strictObject({
  folder: VoicemailFolder,
  heard: z.boolean(),
});
export type VoicemailState = z.infer<typeof VoicemailState>;

/** DESIGN.md §2: where a notification email is. `archive` is out of the Inbox but not in Trash. */
export const EmailLocation = z.enum(['inbox', 'archive', 'trash', 'purged']);
export type EmailLocation = z.infer<typeof EmailLocation>;

export const EmailState = z.strictObject({
  location: EmailLocation,
  read: z.boolean(),
});
export type EmailState = z.infer<typeof EmailState>;

/** `wav`: the email carries the audio, sync both ways. `text`: voicemail -> email only. */
export const PairKind = z.enum(['wav', 'text']);
export type PairKind = z.infer<typeof PairKind>;

export function voicemailDeleted(s: VoicemailState): boolean {
  return s.folder === 'deleted' || s.folder === 'purged';
}

export function voicemailHeard(s: VoicemailState): boolean {
  return !voicemailDeleted(s) && s.heard;
}

export function emailDeleted(s: EmailState): boolean {
  return s.location === 'trash' || s.location === 'purged';
}
