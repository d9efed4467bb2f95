import { randomUUID } from 'node:crypto';
import type { StoreMailbox } from '@vmsync/asterisk-spool';
import type { Envelope } from '@vmsync/events';
import type { Transition } from './diff-mailbox.js';
import { stateOf } from './watched-message.js';

/** A `voicemail-changed` envelope for one transition of one message. */
export function voicemailEvent(input: {
  server: string;
  mailbox: StoreMailbox;
  transition: Transition;
  phase: 'snapshot' | 'change';
  observedAt: number;
  echoOf: string | null;
}): Envelope {
  const { transition: t } = input;
  const id = `vm-${randomUUID()}`;
  return {
    id,
    type: 'voicemail-changed',
    version: 1,
    observedAt: input.observedAt,
    correlationId: input.echoOf ?? id,
    causationId: input.echoOf,
    payload: {
      ref: { server: input.server, mailbox: input.mailbox.id, msgId: t.msgId },
      phase: input.phase,
      before: t.before,
      after: stateOf(t.after),
      notify: input.mailbox.notify,
      audio: t.after.folder === 'purged' ? null : t.after.audio,
      meta: { callerId: t.after.callerId, origTime: t.after.origTime, duration: t.after.duration },
      echoOf: input.echoOf,
    },
  };
}

export function mailboxDeclared(server: string, account: string, observedAt: number): Envelope {
  const id = `mbx-${randomUUID()}`;
  return {
    id,
    type: 'mailbox-declared',
    version: 1,
    observedAt,
    correlationId: id,
    causationId: null,
    payload: { account, server },
  };
}
