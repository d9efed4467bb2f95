import { createHash } from 'node:crypto';
import {
  type EmailRef,
  type Envelope,
  type TopicNames,
  userKey,
  type VoicemailRef,
} from '@vmsync/events';
import type { Decision } from './rules/index.js';

/**
 * Command ids are derived from the causing event, the action and the target, so
 * processing the same event again yields the same commands, not new ones: the actuators
 * apply a command id once.
 */
export function commandId(causeId: string, action: string, target: string): string {
  const digest = createHash('sha256').update(`${causeId}|${action}|${target}`).digest('hex');
  return `cmd-${digest.slice(0, 32)}`;
}

export interface Targets {
  voicemail: VoicemailRef;
  email: EmailRef;
}

/** A command and where it goes: mail commands to one topic, voicemail commands per server. */
export interface Routed {
  topic: string;
  /** The user's address: one user's commands stay in order. */
  key: string;
  envelope: Envelope;
}

/** Turns decisions into command envelopes that continue the cause's trace and timing. */
export function toCommands(
  topics: TopicNames,
  cause: Pick<Envelope, 'id' | 'observedAt' | 'correlationId' | 'trace'>,
  decisions: readonly Decision[],
  targets: Targets,
): Routed[] {
  const key = userKey(targets.email.account);
  return decisions.map((d): Routed => {
    const head = {
      version: 1 as const,
      observedAt: cause.observedAt,
      correlationId: cause.correlationId,
      causationId: cause.id,
      ...(cause.trace ? { trace: cause.trace } : {}),
    };
    if (d.side === 'email') {
      const id = commandId(cause.id, d.action, `${targets.email.account}/${targets.email.emailId}`);
      const envelope: Envelope = {
        ...head,
        id,
        type: 'mail-command',
        payload: { commandId: id, ref: targets.email, action: d.action },
      };
      return { topic: topics.mailCommands, key, envelope };
    }
    const v = targets.voicemail;
    const id = commandId(cause.id, d.action, `${v.server}/${v.mailbox}/${v.msgId}`);
    const envelope: Envelope = {
      ...head,
      id,
      type: 'voicemail-command',
      payload: { commandId: id, ref: v, action: d.action },
    };
    return { topic: topics.voicemailCommands(v.server), key, envelope };
  });
}
