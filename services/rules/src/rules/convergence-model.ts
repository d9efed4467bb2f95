import {
  type EmailState,
  emailDeleted,
  type PairKind,
  type VoicemailState,
  voicemailDeleted,
} from '@vmsync/events';
import type { Decision } from './decision.js';
import { onEmailChange, onVoicemailChange } from './on-change.js';
import { emailUserChange, onEmailEcho, type UserChanges, voicemailUserChange } from './on-echo.js';
import { reconcile } from './reconcile.js';

/*
 * A model of one pair in the running system, for the convergence property: both stores,
 * the users, the watchers (which see every change, the actuators' own included), the bus
 * (one ordered queue per side), the rules service (pair store + the real decision
 * functions, echoes recognised as DESIGN.md §3.3 asks and deciding only what on-echo.ts
 * decides) and the actuators
 * ("make it so", newer wins). One logical clock stands for the deployment's one clock.
 */

export type Side = 'voicemail' | 'email';
export type VoicemailAct = 'listen' | 'mark-unheard' | 'delete' | 'undelete' | 'purge';
export type EmailAct = 'read' | 'unread' | 'trash' | 'restore' | 'archive' | 'to-inbox' | 'purge';
export type UserAction =
  | { side: 'voicemail'; act: VoicemailAct }
  | { side: 'email'; act: EmailAct };

/**
 * What newer wins compares: a command is skipped when a user changed the part of its
 * target that it sets (deleted or not; heard/read) after the command's cause. Moving a
 * message in or out of deleted/Trash is a change to all of it; archiving to neither.
 */
export type Aspect = 'deletion' | 'seen';
type Stamps = Record<Aspect, number>;

interface Observation {
  readonly before: VoicemailState | EmailState;
  readonly after: VoicemailState | EmailState;
  readonly observedAt: number;
  readonly echo: boolean;
}

interface Command {
  readonly decision: Decision;
  readonly cause: number;
}

const all: readonly Aspect[] = ['deletion', 'seen'];
const zero = (): Stamps => ({ deletion: 0, seen: 0 });

function voicemailByUser(s: VoicemailState, act: VoicemailAct): VoicemailState | null {
  const live = !voicemailDeleted(s);
  if (act === 'listen') return live && !s.heard ? { folder: 'saved', heard: true } : null;
  if (act === 'mark-unheard') return live && s.heard ? { folder: 'new', heard: false } : null;
  if (act === 'delete') return live ? { folder: 'deleted', heard: s.heard } : null;
  if (act === 'undelete')
    return s.folder === 'deleted' ? { folder: s.heard ? 'saved' : 'new', heard: s.heard } : null;
  return s.folder !== 'purged' ? { folder: 'purged', heard: false } : null;
}

function emailByUser(s: EmailState, act: EmailAct): EmailState | null {
  if (s.location === 'purged') return null;
  if (act === 'read') return s.read ? null : { ...s, read: true };
  if (act === 'unread') return s.read ? { ...s, read: false } : null;
  if (act === 'trash') return emailDeleted(s) ? null : { ...s, location: 'trash' };
  if (act === 'restore') return s.location === 'trash' ? { ...s, location: 'inbox' } : null;
  if (act === 'archive') return s.location === 'inbox' ? { ...s, location: 'archive' } : null;
  if (act === 'to-inbox') return s.location === 'archive' ? { ...s, location: 'inbox' } : null;
  return { location: 'purged', read: false };
}

const userAspects: Record<VoicemailAct | EmailAct, readonly Aspect[]> = {
  listen: ['seen'],
  'mark-unheard': ['seen'],
  read: ['seen'],
  unread: ['seen'],
  archive: [],
  'to-inbox': [],
  delete: all,
  undelete: all,
  trash: all,
  restore: all,
  purge: all,
};

/** The voicemail actuator: make it so, on whatever folder the message is in now. */
function voicemailByActuator(s: VoicemailState, d: Decision): VoicemailState {
  if (s.folder === 'purged') return s;
  if (d.action === 'ensure-heard') return { ...s, heard: true };
  if (d.action === 'ensure-unheard') return { ...s, heard: false };
  if (d.action === 'ensure-deleted') return voicemailDeleted(s) ? s : { ...s, folder: 'deleted' };
  if (d.action === 'ensure-saved') return s.folder === 'deleted' ? { ...s, folder: 'saved' } : s;
  return s;
}

function emailByActuator(s: EmailState, d: Decision): EmailState {
  if (s.location === 'purged') return s;
  if (d.action === 'ensure-read') return { ...s, read: true };
  if (d.action === 'ensure-unread') return { ...s, read: false };
  if (d.action === 'ensure-trash') return emailDeleted(s) ? s : { ...s, location: 'trash' };
  // Out of Trash; an archived email is not deleted and stays where the user filed it.
  if (d.action === 'ensure-inbox') return s.location === 'trash' ? { ...s, location: 'inbox' } : s;
  return s;
}

const commandAspect: Record<Decision['action'], Aspect> = {
  'ensure-trash': 'deletion',
  'ensure-deleted': 'deletion',
  'ensure-saved': 'deletion',
  'ensure-inbox': 'deletion',
  'ensure-read': 'seen',
  'ensure-unread': 'seen',
  'ensure-heard': 'seen',
  'ensure-unheard': 'seen',
};

function isDeleted(s: VoicemailState | EmailState): boolean {
  return 'folder' in s ? voicemailDeleted(s) : emailDeleted(s);
}

const same = (a: object, b: object) => JSON.stringify(a) === JSON.stringify(b);

export class PairWorld {
  now = 0;
  readonly state: { voicemail: VoicemailState; email: EmailState };
  /** When a user last changed each aspect; echoes do not move it. Newer wins reads it. */
  readonly userStamps = { voicemail: zero(), email: zero() };
  /** The pair store: each side as last observed by the rules service. */
  readonly known: { voicemail: VoicemailState; email: EmailState };
  /** The pair store: when a user last changed each side, as observed. */
  knownUsers: UserChanges = { voicemailAt: 0, emailReadAt: 0 };
  readonly events: Record<Side, Observation[]> = { voicemail: [], email: [] };
  readonly commands: Record<Side, Command[]> = { voicemail: [], email: [] };
  userActions = 0;
  commandsSent = 0;
  somebodyDeleted: boolean;
  readonly unwantedDeletions: string[] = [];
  readonly history: { action: UserAction; at: number; after: VoicemailState | EmailState }[] = [];

  constructor(
    readonly kind: PairKind,
    voicemail: VoicemailState,
    email: EmailState,
    /** DESIGN.md §3.3: an echo is recognised (echoOf) and decides nothing. */
    readonly recogniseEchoes = true,
  ) {
    this.state = { voicemail, email };
    this.known = { voicemail, email };
    this.somebodyDeleted = voicemailDeleted(voicemail) || emailDeleted(email);
    this.#send(reconcile(kind, voicemail, email), 0);
  }

  get busy(): boolean {
    return (
      [
        ...this.events.voicemail,
        ...this.events.email,
        ...this.commands.voicemail,
        ...this.commands.email,
      ].length > 0
    );
  }

  user(action: UserAction): void {
    const before = this.state[action.side];
    const after =
      action.side === 'voicemail'
        ? voicemailByUser(this.state.voicemail, action.act)
        : emailByUser(this.state.email, action.act);
    if (after === null || same(before, after)) return;
    this.now += 1;
    this.#set(action.side, after);
    for (const aspect of userAspects[action.act]) this.userStamps[action.side][aspect] = this.now;
    if (isDeleted(after)) this.somebodyDeleted = true;
    this.userActions += 1;
    this.history.push({ action, at: this.now, after });
    this.events[action.side].push({ before, after, observedAt: this.now, echo: false });
  }

  /** The rules service takes the next event of this side's watcher off the bus. */
  deliver(side: Side): void {
    const event = this.events[side].shift();
    if (!event) return;
    this.now += 1;
    if (side === 'voicemail') this.known.voicemail = event.after as VoicemailState;
    else this.known.email = event.after as EmailState;
    if (event.echo && this.recogniseEchoes) {
      if (side === 'email') {
        const users = this.knownUsers;
        const before = event.before as EmailState;
        const after = event.after as EmailState;
        this.#send(
          onEmailEcho(this.kind, before, after, this.known.voicemail, users),
          users.emailReadAt,
        );
      }
      return;
    }
    this.#noteUserChange(side, event);
    const decisions =
      side === 'voicemail'
        ? onVoicemailChange(
            this.kind,
            event.before as VoicemailState,
            event.after as VoicemailState,
            this.known.email,
          )
        : onEmailChange(
            this.kind,
            event.before as EmailState,
            event.after as EmailState,
            this.known.voicemail,
          );
    this.#send(decisions, event.observedAt);
  }

  /** This side's actuator takes the next command off the bus. */
  apply(side: Side): void {
    const command = this.commands[side].shift();
    if (!command) return;
    this.now += 1;
    if (this.userStamps[side][commandAspect[command.decision.action]] > command.cause) return;
    const before = this.state[side];
    const after =
      side === 'voicemail'
        ? voicemailByActuator(this.state.voicemail, command.decision)
        : emailByActuator(this.state.email, command.decision);
    if (same(before, after)) return;
    if (isDeleted(after) && !isDeleted(before) && !this.somebodyDeleted) {
      this.unwantedDeletions.push(`${side} deleted by ${command.decision.action} at ${this.now}`);
    }
    this.#set(side, after);
    this.events[side].push({ before, after, observedAt: this.now, echo: true });
  }

  /** What the rules service records of a user's change (pair-store user times). */
  #noteUserChange(side: Side, event: Observation): void {
    const { before, after, observedAt } = event;
    if (side === 'voicemail') {
      if (voicemailUserChange(before as VoicemailState, after as VoicemailState)) {
        this.knownUsers = { ...this.knownUsers, voicemailAt: observedAt };
      }
    } else if (emailUserChange(before as EmailState, after as EmailState)) {
      this.knownUsers = { ...this.knownUsers, emailReadAt: observedAt };
    }
  }

  #set(side: Side, s: VoicemailState | EmailState): void {
    if (side === 'voicemail') this.state.voicemail = s as VoicemailState;
    else this.state.email = s as EmailState;
  }

  #send(decisions: readonly Decision[], cause: number): void {
    for (const decision of decisions) this.commands[decision.side].push({ decision, cause });
    this.commandsSent += decisions.length;
  }
}
