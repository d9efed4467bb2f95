import type { Envelope, EnvelopeOf, TopicNames } from '@vmsync/events';
import { type Routed, toCommands } from './commands.js';
import { classifyNotification, type LinkPolicy } from './linking/classify-notification.js';
import { matchVoicemail } from './linking/match-voicemail.js';
import {
  type EmailRecord,
  emailKey,
  type Pair,
  type PairStore,
  type VoicemailRecord,
  voicemailKey,
} from './pair-store.js';
import {
  type Decision,
  emailEchoMayDecide,
  emailUserChange,
  onEmailChange,
  onEmailEcho,
  onVoicemailChange,
  reconcile,
  voicemailUserChange,
} from './rules/index.js';
import type { DeletionGuard, GuardContext } from './safety/deletion-guard.js';

export type Outcome =
  | { kind: 'commands'; commands: Routed[]; linked: boolean; pair?: Pair }
  | { kind: 'echo' }
  | { kind: 'not-synchronized' }
  | { kind: 'waiting' }
  | { kind: 'refused'; reason: string };

/**
 * The rules service's work for one event: record the side's state, link the pair when
 * the partner is there, and decide with the pure rule tables. All state is in Redis
 * (PairStore); the same event processed twice yields the same command ids.
 */
export class SyncEngine {
  constructor(
    private readonly pairs: PairStore,
    private readonly policy: LinkPolicy,
    private readonly topics: TopicNames,
    /** The safety fuse on deletions (none: every decided deletion goes out). */
    private readonly guard?: DeletionGuard,
  ) {}

  async handle(event: Envelope): Promise<Outcome> {
    if (event.type === 'voicemail-changed') return this.#voicemail(event);
    if (event.type === 'email-changed') return this.#email(event);
    return { kind: 'refused', reason: `rules do not take ${event.type}` };
  }

  async #voicemail(event: EnvelopeOf<'voicemail-changed'>): Promise<Outcome> {
    const p = event.payload;
    const record: VoicemailRecord = {
      ref: p.ref,
      state: p.after,
      observedAt: event.observedAt,
      user: p.notify?.email.toLowerCase() ?? null,
      kind: p.notify?.kind ?? null,
      callerId: p.meta.callerId,
      origTime: p.meta.origTime,
      audioSize: p.audio?.size ?? null,
    };
    await this.pairs.putVoicemail(record);
    if (record.user === null) return { kind: 'not-synchronized' };
    const key = voicemailKey(p.ref);
    const userChanged =
      p.echoOf === null && p.before !== null && voicemailUserChange(p.before, p.after);
    const [pair] = await Promise.all([
      this.pairs.pairOfVoicemail(key),
      userChanged ? this.pairs.noteUserChange('vm', key, event.observedAt) : null,
      this.guard?.voicemailSeen(record.user, key, p.after),
    ]);
    if (pair) {
      if (p.echoOf !== null) return { kind: 'echo' };
      const email = await this.pairs.getEmail(pair.email);
      const reconciling = p.phase === 'snapshot' || p.before === null;
      const decisions =
        reconciling || p.before === null
          ? reconcile(pair.kind, p.after, email?.state ?? 'unknown')
          : onVoicemailChange(pair.kind, p.before, p.after, email?.state ?? 'unknown');
      const out = this.#commands(event, decisions, record, email, false);
      if (!email) return out;
      return this.#guarded(out, {
        phase: reconciling ? 'reconcile' : 'change',
        user: email.ref.account.toLowerCase(),
        event: event.id,
        voicemail: { state: p.after, ...(reconciling ? {} : { before: p.before }) },
        email: { state: email.state },
      });
    }
    await this.pairs.addWaitingVoicemail(record.user, key, record.origTime);
    const partner = await this.#waitingEmailFor(record);
    if (!partner) return { kind: 'waiting' };
    return this.#link(event, record, partner);
  }

  async #email(event: EnvelopeOf<'email-changed'>): Promise<Outcome> {
    const p = event.payload;
    const record: EmailRecord = {
      ref: p.ref,
      state: p.after,
      observedAt: event.observedAt,
      claim: classifyNotification(p.ref.account, p.notification, this.policy),
      hasAudio: p.notification.attachment !== null,
    };
    await this.pairs.putEmail(record);
    const key = emailKey(p.ref);
    const userChanged =
      p.echoOf === null && p.before !== null && emailUserChange(p.before, p.after);
    const [pair] = await Promise.all([
      this.pairs.pairOfEmail(key),
      userChanged ? this.pairs.noteUserChange('em', key, event.observedAt) : null,
    ]);
    if (pair) {
      if (p.echoOf !== null) return this.#emailEcho(event, pair, record);
      const voicemail = await this.pairs.getVoicemail(pair.voicemail);
      const reconciling = p.phase === 'snapshot' || p.before === null;
      const decisions =
        reconciling || p.before === null
          ? reconcile(pair.kind, voicemail?.state ?? 'unknown', p.after)
          : onEmailChange(pair.kind, p.before, p.after, voicemail?.state ?? 'unknown');
      const out = this.#commands(event, decisions, voicemail, record, false);
      if (!voicemail) return out;
      return this.#guarded(out, {
        phase: reconciling ? 'reconcile' : 'change',
        user: key.slice(0, key.indexOf('/')),
        event: event.id,
        voicemail: { state: voicemail.state },
        email: { state: p.after, ...(reconciling ? {} : { before: p.before }) },
      });
    }
    if (record.claim.kind === 'refused') return { kind: 'refused', reason: record.claim.reason };
    if (record.claim.kind === 'not-a-notification') return { kind: 'not-synchronized' };
    await this.pairs.addWaitingEmail(p.ref.account, key, event.observedAt);
    const partner = await this.#voicemailFor(record);
    if (!partner) return { kind: 'waiting' };
    return this.#link(event, partner, record);
  }

  /**
   * An echo decides nothing, but for the one case on-echo.ts describes: the command then
   * carries the time of the user's unread as its cause (newer wins judges it by that).
   */
  async #emailEcho(
    event: EnvelopeOf<'email-changed'>,
    pair: Pair,
    email: EmailRecord,
  ): Promise<Outcome> {
    const { before, after } = event.payload;
    if (before === null || !emailEchoMayDecide(pair.kind, before, after)) return { kind: 'echo' };
    const [voicemail, users] = await Promise.all([
      this.pairs.getVoicemail(pair.voicemail),
      this.pairs.userChanges(pair),
    ]);
    const decisions = onEmailEcho(pair.kind, before, after, voicemail?.state ?? 'unknown', users);
    if (decisions.length === 0 || !voicemail) return { kind: 'echo' };
    const cause = { ...event, observedAt: users.emailReadAt };
    return this.#guarded(this.#commands(cause, decisions, voicemail, email, false), {
      phase: 'change',
      user: email.ref.account.toLowerCase(),
      event: event.id,
      voicemail: { state: voicemail.state },
      email: { state: after, before },
    });
  }

  /**
   * The unlinked voicemail this email names (signed) or describes (Asterisk headers), among
   * `waiting` (default: its user's waiting voicemails, read now).
   */
  async #voicemailFor(
    email: EmailRecord,
    waitingNow?: readonly VoicemailRecord[],
  ): Promise<VoicemailRecord | null> {
    const waiting =
      waitingNow ?? (await this.pairs.waitingVoicemails(email.ref.account.toLowerCase()));
    const claim = email.claim;
    if (claim.kind === 'signed') {
      return waiting.find((v) => voicemailKey(v.ref) === voicemailKey(claim.ref)) ?? null;
    }
    if (claim.kind !== 'asterisk') return null;
    const found = matchVoicemail(
      claim.facts,
      waiting.flatMap((v) => (v.kind === null ? [] : [{ ...v, kind: v.kind }])),
    );
    return found ? (waiting.find((v) => v.ref === found.ref) ?? null) : null;
  }

  /** The first waiting email of this voicemail's user that picks this voicemail. */
  async #waitingEmailFor(voicemail: VoicemailRecord): Promise<EmailRecord | null> {
    if (voicemail.user === null) return null;
    const emails = await this.pairs.waitingEmails(voicemail.user);
    if (emails.length === 0) return null;
    // The user's waiting voicemails, read once for all their waiting emails.
    const waiting = await this.pairs.waitingVoicemails(voicemail.user);
    for (const email of emails) {
      const chosen = await this.#voicemailFor(email, waiting);
      if (chosen && voicemailKey(chosen.ref) === voicemailKey(voicemail.ref)) return email;
    }
    return null;
  }

  /** Links and runs start-up reconciliation at once (the user may have listened already). */
  async #link(event: Envelope, v: VoicemailRecord, e: EmailRecord): Promise<Outcome> {
    const pair: Pair = {
      voicemail: voicemailKey(v.ref),
      email: emailKey(e.ref),
      kind: e.hasAudio && v.kind === 'wav' ? 'wav' : 'text',
    };
    if (!(await this.pairs.link(pair))) {
      return { kind: 'refused', reason: 'the voicemail or the email is linked already' };
    }
    const decisions = reconcile(pair.kind, v.state, e.state);
    const out = await this.#guarded(this.#commands(event, decisions, v, e, true), {
      phase: 'reconcile',
      user: e.ref.account.toLowerCase(),
      event: event.id,
      voicemail: { state: v.state },
      email: { state: e.state },
    });
    return { ...out, pair };
  }

  async #guarded(
    out: Extract<Outcome, { kind: 'commands' }>,
    ctx: GuardContext,
  ): Promise<Extract<Outcome, { kind: 'commands' }>> {
    if (!this.guard) return out;
    return { ...out, commands: await this.guard.filter(out.commands, ctx) };
  }

  #commands(
    event: Envelope,
    decisions: readonly Decision[],
    v: VoicemailRecord | null,
    e: EmailRecord | null,
    linked: boolean,
  ): Extract<Outcome, { kind: 'commands' }> {
    if (!v || !e) return { kind: 'commands', commands: [], linked };
    return {
      kind: 'commands',
      commands: toCommands(this.topics, event, decisions, { voicemail: v.ref, email: e.ref }),
      linked,
    };
  }
}
