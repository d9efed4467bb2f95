import { z } from 'zod';
import { PairKind, VoicemailState } from './state.js';

export const VoicemailRef = z.strictObject({
  /** The voicemail server (PBX) that owns the spool; commands are routed per server. */
  server: z.string().min(1),
  /** `<mailbox>@<context>` as in voicemail.conf. */
  mailbox: z.string().min(1),
  /** Asterisk's `msg_id`: stable across folder moves. */
  msgId: z.string().min(1),
});
export type VoicemailRef = z.infer<typeof VoicemailRef>;

export const VoicemailAudio = z.strictObject({
  size: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  format: z.string().min(1),
});
export type VoicemailAudio = z.infer<typeof VoicemailAudio>;

export const VoicemailChanged = z.strictObject({
  ref: VoicemailRef,
  /** `snapshot`: start-up state of a message; `change`: a transition the watcher saw. */
  phase: z.enum(['snapshot', 'change']),
  /** What the watcher saw last (null: first sight of this message). */
  before: VoicemailState.nullable(),
  after: VoicemailState,
  /** Who is notified, and whether the WAV is attached (DESIGN.md §5); null: not synchronized. */
  notify: z.strictObject({ email: z.email(), kind: PairKind }).nullable(),
  audio: VoicemailAudio.nullable(),
  meta: z.strictObject({
    callerId: z.string(),
    origTime: z.number().int().nonnegative(),
    duration: z.number().int().nonnegative(),
  }),
  /** Set when the change is the echo of a vmsync command (the actuator recorded its intent). */
  echoOf: z.string().min(1).nullable(),
});
export type VoicemailChanged = z.infer<typeof VoicemailChanged>;
