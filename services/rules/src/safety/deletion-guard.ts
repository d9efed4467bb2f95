import type { EmailState, VoicemailState } from '@vmsync/events';
import type { Logger } from '@vmsync/telemetry';
import type { Counter } from 'prom-client';
import type { Routed } from '../commands.js';
import { causeOf, type FusePolicy, judgeDeletion } from './deletion-fuse.js';
import type { FuseStore } from './fuse-store.js';

/** What the engine knew when it decided: each side's state and, for a change, its before. */
export interface GuardContext {
  phase: 'reconcile' | 'change';
  user: string;
  event: string;
  voicemail: { state: VoicemailState; before?: VoicemailState | null };
  email: { state: EmailState; before?: EmailState | null };
}

export interface DeletionGuardDeps {
  policy: FusePolicy;
  store: FuseStore;
  logger: Logger;
  refusedTotal: Counter<'reason'>;
  now: () => number;
}

const isDeletion = (c: Routed): boolean =>
  (c.envelope.type === 'mail-command' && c.envelope.payload.action === 'ensure-trash') ||
  (c.envelope.type === 'voicemail-command' && c.envelope.payload.action === 'ensure-deleted');

/**
 * Puts every deletion the rules decided through the safety fuse (deletion-fuse.ts) and
 * drops the refused ones: logged, counted (vmsync_rules_deletions_refused_total) and
 * recorded in Redis for the operator. Other commands pass untouched.
 */
export class DeletionGuard {
  constructor(private readonly d: DeletionGuardDeps) {}

  /** Keeps the share's denominator: a user's voicemails that are not purged. */
  voicemailSeen(user: string, key: string, state: VoicemailState): Promise<void> {
    return this.d.store.voicemailSeen(user, key, state.folder !== 'purged');
  }

  async filter(commands: readonly Routed[], ctx: GuardContext): Promise<Routed[]> {
    const kept: Routed[] = [];
    for (const c of commands) {
      if (!isDeletion(c) || (await this.#allow(c, ctx))) kept.push(c);
    }
    return kept;
  }

  async #allow(c: Routed, ctx: GuardContext): Promise<boolean> {
    const toEmail = c.envelope.type === 'mail-command';
    const source = toEmail ? ctx.voicemail : ctx.email;
    const cause = causeOf(source.state, source.before);
    const now = this.d.now();
    const payload = c.envelope.payload as { action: string; ref: Record<string, string> };
    const target = Object.values(payload.ref).join('/');
    const state = await this.d.store.state(ctx.user, target, now);
    if (state.alreadyAllowed) return true;
    const verdict = judgeDeletion(this.d.policy, { ...state, phase: ctx.phase, cause });
    if (verdict.allow) {
      if (ctx.phase === 'reconcile') await this.d.store.allowed(ctx.user, target, now);
      return true;
    }
    const refused = {
      at: now,
      user: ctx.user,
      reason: verdict.reason,
      cause,
      phase: ctx.phase,
      action: payload.action,
      target,
      commandId: c.envelope.id,
      event: ctx.event,
    };
    await this.d.store.refused(refused, verdict.trips);
    this.d.refusedTotal.inc({ reason: verdict.reason });
    this.d.logger.warn(
      { ...refused, mailboxSize: state.mailboxSize, recentDeletions: state.recentDeletions },
      verdict.trips
        ? 'safety fuse tripped: deletion refused'
        : 'deletion refused by the safety fuse',
    );
    return false;
  }
}
