import type { PairKind } from '@vmsync/events';
import type { EmailCase, EmailGroup, VoicemailCase, VoicemailGroup } from './cases.js';
import type { Decision } from './decision.js';

/*
 * The expected outcomes, written by hand: the tests check the rules against these tables
 * and docs/sync-rules.md is rendered from them, so the operator's documentation and the
 * tests cannot drift apart. Nothing here is computed by the rules themselves.
 */

const trashEmail: Decision = { side: 'email', action: 'ensure-trash' };
const inboxEmail: Decision = { side: 'email', action: 'ensure-inbox' };
const readEmail: Decision = { side: 'email', action: 'ensure-read' };
const unreadEmail: Decision = { side: 'email', action: 'ensure-unread' };
const deleteVoicemail: Decision = { side: 'voicemail', action: 'ensure-deleted' };
const saveVoicemail: Decision = { side: 'voicemail', action: 'ensure-saved' };
const hearVoicemail: Decision = { side: 'voicemail', action: 'ensure-heard' };
const unhearVoicemail: Decision = { side: 'voicemail', action: 'ensure-unheard' };

// ---------------------------------------------------------------------------------------
// Start-up and first link (DESIGN.md §3.1): one cell per voicemail state x email state.

export interface StartupOutcome {
  readonly actions: readonly Decision[];
  readonly source: string;
}

export const startupOutcomes = {
  text: {
    'delete email': {
      actions: [trashEmail],
      source: '§3.1 text: voicemail Deleted, email not Deleted',
    },
    'mark email read': { actions: [readEmail], source: '§3.1 text: voicemail Heard, email Unread' },
    none: { actions: [], source: '§3.1 text: any other' },
    unknown: { actions: [], source: '§2: an unknown side never causes an action' },
  },
  wav: {
    'delete email': {
      actions: [trashEmail],
      source: '§3.1 wav: voicemail Deleted, email not Deleted',
    },
    'delete voicemail': {
      actions: [deleteVoicemail],
      source: '§3.1 wav: voicemail not Deleted, email Deleted',
    },
    'mark email read': { actions: [readEmail], source: '§3.1 wav: voicemail Heard, email Unread' },
    'mark voicemail heard': {
      actions: [hearVoicemail],
      source: '§3.1 wav: voicemail Unheard, email Read',
    },
    agree: { actions: [], source: '§3.1 wav: states agree' },
    'both deleted': { actions: [], source: '§3.1 wav: both Deleted' },
    unknown: { actions: [], source: '§2: an unknown side never causes an action' },
  },
} as const satisfies Record<PairKind, Record<string, StartupOutcome>>;

export type StartupCode<K extends PairKind> = keyof (typeof startupOutcomes)[K];

/** The email states across, in this order. */
export const startupColumns = [
  'Inbox, unread',
  'Inbox, read',
  'archive, unread',
  'archive, read',
  'Trash, unread',
  'Trash, read',
  'purged',
  'unknown',
] as const satisfies readonly (EmailCase | 'unknown')[];

type Cells<O> = readonly [O, O, O, O, O, O, O, O];
type Matrix<O> = Readonly<Record<VoicemailCase | 'unknown', Cells<O>>>;

// biome-ignore format: a matrix reads better aligned
export const startupTable: { readonly [K in PairKind]: Matrix<StartupCode<K>> } = {
  text: {
    //                  Inbox,unread      Inbox,read  archive,unread     archive,read Trash,unread Trash,read purged unknown
    'new, unheard':     ['none',           'none',     'none',            'none',      'none',      'none',    'none', 'unknown'],
    'new, heard':       ['mark email read', 'none',     'mark email read', 'none',      'none',      'none',    'none', 'unknown'],
    'saved, unheard':   ['none',           'none',     'none',            'none',      'none',      'none',    'none', 'unknown'],
    'saved, heard':     ['mark email read', 'none',     'mark email read', 'none',      'none',      'none',    'none', 'unknown'],
    'deleted, unheard': ['delete email',   'delete email', 'delete email', 'delete email', 'none',   'none',    'none', 'unknown'],
    'deleted, heard':   ['delete email',   'delete email', 'delete email', 'delete email', 'none',   'none',    'none', 'unknown'],
    purged:             ['delete email',   'delete email', 'delete email', 'delete email', 'none',   'none',    'none', 'unknown'],
    unknown:            ['unknown', 'unknown', 'unknown', 'unknown', 'unknown', 'unknown', 'unknown', 'unknown'],
  },
  wav: {
    //                  Inbox,unread       Inbox,read              archive,unread     archive,read            Trash,unread        Trash,read          purged              unknown
    'new, unheard':     ['agree',           'mark voicemail heard', 'agree',           'mark voicemail heard', 'delete voicemail', 'delete voicemail', 'delete voicemail', 'unknown'],
    'new, heard':       ['mark email read', 'agree',                'mark email read', 'agree',                'delete voicemail', 'delete voicemail', 'delete voicemail', 'unknown'],
    'saved, unheard':   ['agree',           'mark voicemail heard', 'agree',           'mark voicemail heard', 'delete voicemail', 'delete voicemail', 'delete voicemail', 'unknown'],
    'saved, heard':     ['mark email read', 'agree',                'mark email read', 'agree',                'delete voicemail', 'delete voicemail', 'delete voicemail', 'unknown'],
    'deleted, unheard': ['delete email',    'delete email',         'delete email',    'delete email',         'both deleted',     'both deleted',     'both deleted',     'unknown'],
    'deleted, heard':   ['delete email',    'delete email',         'delete email',    'delete email',         'both deleted',     'both deleted',     'both deleted',     'unknown'],
    purged:             ['delete email',    'delete email',         'delete email',    'delete email',         'both deleted',     'both deleted',     'both deleted',     'unknown'],
    unknown:            ['unknown', 'unknown', 'unknown', 'unknown', 'unknown', 'unknown', 'unknown', 'unknown'],
  },
};

export interface StartupRow {
  readonly kind: PairKind;
  readonly voicemail: VoicemailCase | 'unknown';
  readonly email: EmailCase | 'unknown';
  readonly outcome: string;
  readonly actions: readonly Decision[];
  readonly source: string;
}

function rowsOf<K extends PairKind>(kind: K): StartupRow[] {
  const outcomes: Record<string, StartupOutcome> = startupOutcomes[kind];
  return Object.entries(startupTable[kind]).flatMap(([voicemail, cells]) =>
    cells.map((code, column) => {
      const outcome = outcomes[code as string];
      if (!outcome) throw new Error(`no outcome named ${String(code)}`);
      return {
        kind,
        voicemail: voicemail as VoicemailCase | 'unknown',
        email: startupColumns[column] as EmailCase | 'unknown',
        outcome: code as string,
        ...outcome,
      };
    }),
  );
}

/** The start-up table as rows: kind, voicemail state, email state, actions, source. */
export const startupRows: readonly StartupRow[] = [...rowsOf('text'), ...rowsOf('wav')];

// ---------------------------------------------------------------------------------------
// Normal operation (DESIGN.md §3.2): what counts as a change, and what each change does.

export interface ChangeDefinition<Group> {
  readonly from: Group;
  readonly to: Group;
  readonly words: string;
}

export const voicemailChangeDefinitions = {
  deleted: {
    from: 'new or saved',
    to: 'in deleted or purged',
    words: 'moved to deleted, or purged, from new or saved',
  },
  purged: { from: 'in deleted', to: 'purged', words: 'purged from deleted' },
  undeleted: {
    from: 'in deleted or purged',
    to: 'new or saved',
    words: 'back in new or saved from deleted',
  },
  heard: {
    from: 'not heard',
    to: 'heard',
    words: 'now heard in new or saved, and was not (unheard, or deleted)',
  },
  unheard: { from: 'heard', to: 'unheard', words: 'marked unheard in new or saved' },
} as const satisfies Record<string, ChangeDefinition<VoicemailGroup>>;

export const emailChangeDefinitions = {
  deleted: {
    from: 'in Inbox or archive',
    to: 'in Trash or purged',
    words: 'moved to Trash, or purged, from Inbox or archive',
  },
  purged: { from: 'in Trash', to: 'purged', words: 'purged from Trash' },
  undeleted: {
    from: 'in Trash or purged',
    to: 'in Inbox or archive',
    words: 'out of Trash into Inbox or archive',
  },
  read: { from: 'unread', to: 'read', words: '\\Seen set, wherever the email is' },
  unread: { from: 'read', to: 'unread', words: '\\Seen cleared, wherever the email is' },
  archived: { from: 'in Inbox', to: 'archived', words: 'out of the Inbox, not into Trash' },
  unarchived: { from: 'archived', to: 'in Inbox', words: 'moved back to the Inbox' },
} as const satisfies Record<string, ChangeDefinition<EmailGroup>>;

export type VoicemailChangeName = keyof typeof voicemailChangeDefinitions;
export type EmailChangeName = keyof typeof emailChangeDefinitions;

/** Holds when the voicemail's (or email's) state is in the group, or with `not`, is not. */
export type Condition =
  | { readonly voicemail: VoicemailGroup; readonly not?: true }
  | { readonly email: EmailGroup; readonly not?: true };

interface RuleBase {
  readonly kinds: readonly PairKind[];
  /** All must hold, on the changed side's new state and the other side's known state. */
  readonly when?: readonly Condition[];
  readonly actions: readonly Decision[];
  readonly source: string;
}

export type ChangeRule =
  | (RuleBase & { readonly side: 'voicemail'; readonly change: VoicemailChangeName })
  | (RuleBase & { readonly side: 'email'; readonly change: EmailChangeName });

const both: readonly PairKind[] = ['text', 'wav'];
const wav: readonly PairKind[] = ['wav'];
const text: readonly PairKind[] = ['text'];
const emailNotPurged: Condition = { email: 'purged', not: true };
const voicemailNotPurged: Condition = { voicemail: 'purged', not: true };

/**
 * Every change a rule does not name produces nothing. Rules with no actions are here to
 * say so where an operator might expect something.
 */
// biome-ignore format: one rule per line reads as a table
export const changeRules: readonly ChangeRule[] = [
  {
    side: 'voicemail',
    change: 'deleted',
    kinds: both,
    actions: [trashEmail],
    source: '§3.2: voicemail deleted (or purged) -> delete email',
  },
  { side: 'voicemail', change: 'purged', kinds: both, actions: [trashEmail], source: 'decision 1' },
  {
    side: 'voicemail',
    change: 'heard',
    kinds: both,
    actions: [readEmail],
    source: '§3.2: voicemail heard -> mark email read',
  },
  {
    side: 'voicemail',
    change: 'undeleted',
    kinds: wav,
    when: [emailNotPurged],
    actions: [inboxEmail],
    source: '§3.2: voicemail undeleted -> move email to Inbox',
  },
  {
    side: 'voicemail',
    change: 'undeleted',
    kinds: wav,
    when: [{ voicemail: 'unheard' }, emailNotPurged],
    actions: [unreadEmail],
    source: '§3.2: ... mark it unread if the voicemail is unheard',
  },
  {
    side: 'voicemail',
    change: 'undeleted',
    kinds: wav,
    when: [{ email: 'purged' }],
    actions: [deleteVoicemail],
    source: 'decision 2',
  },
  {
    side: 'voicemail',
    change: 'unheard',
    kinds: wav,
    when: [{ voicemail: 'in new' }],
    actions: [unreadEmail],
    source: '§3.2: voicemail marked unheard -> mark email unread if in new',
  },
  {
    side: 'voicemail',
    change: 'unheard',
    kinds: wav,
    when: [{ voicemail: 'in saved' }],
    actions: [],
    source: '§3.2: (only if in new)',
  },
  {
    side: 'voicemail',
    change: 'undeleted',
    kinds: text,
    actions: [],
    source: '§3.2 text: anything else -> none',
  },
  {
    side: 'voicemail',
    change: 'unheard',
    kinds: text,
    actions: [],
    source: '§3.2 text: anything else -> none',
  },

  {
    side: 'email',
    change: 'deleted',
    kinds: wav,
    actions: [deleteVoicemail],
    source: '§3.2: email deleted (Trash or purged) -> delete voicemail',
  },
  { side: 'email', change: 'purged', kinds: wav, actions: [deleteVoicemail], source: 'decision 1' },
  {
    side: 'email',
    change: 'undeleted',
    kinds: wav,
    when: [voicemailNotPurged],
    actions: [saveVoicemail],
    source: '§3.2: email undeleted -> move voicemail to saved',
  },
  {
    side: 'email',
    change: 'undeleted',
    kinds: wav,
    when: [{ email: 'read' }, voicemailNotPurged],
    actions: [hearVoicemail],
    source: 'decision 3',
  },
  {
    side: 'email',
    change: 'undeleted',
    kinds: wav,
    when: [{ email: 'unread' }, voicemailNotPurged],
    actions: [unhearVoicemail],
    source: 'decision 3',
  },
  {
    side: 'email',
    change: 'undeleted',
    kinds: wav,
    when: [{ voicemail: 'purged' }],
    actions: [trashEmail],
    source: 'decision 2',
  },
  {
    side: 'email',
    change: 'read',
    kinds: wav,
    actions: [hearVoicemail],
    source: '§3.2: email read -> mark voicemail heard',
  },
  {
    side: 'email',
    change: 'unread',
    kinds: wav,
    when: [{ email: 'in Trash', not: true }],
    actions: [unhearVoicemail],
    source: '§3.2: email marked unread -> voicemail unheard if not in Trash',
  },
  {
    side: 'email',
    change: 'unread',
    kinds: wav,
    when: [{ email: 'in Trash' }],
    actions: [],
    source: '§3.2: (only if not in Trash)',
  },
  { side: 'email', change: 'archived', kinds: wav, actions: [], source: 'decision 4' },
  { side: 'email', change: 'unarchived', kinds: wav, actions: [], source: 'decision 4' },
  {
    side: 'email',
    change: 'deleted',
    kinds: text,
    actions: [],
    source: '§2: text pairs sync voicemail -> email only',
  },
  {
    side: 'email',
    change: 'undeleted',
    kinds: text,
    actions: [],
    source: '§2: text pairs sync voicemail -> email only',
  },
  {
    side: 'email',
    change: 'read',
    kinds: text,
    actions: [],
    source: '§2: text pairs sync voicemail -> email only',
  },
  {
    side: 'email',
    change: 'unread',
    kinds: text,
    actions: [],
    source: '§2: text pairs sync voicemail -> email only',
  },
];
