import type { EmailState, VoicemailState } from '@vmsync/events';

/**
 * The states the expected-outcome tables speak of, named as an operator would say them.
 * Every state of DESIGN.md §2 is one of these (a purged message has no read state left),
 * plus `unknown`: the side could not be found or read.
 */
export const voicemailCases = {
  'new, unheard': { folder: 'new', heard: false },
  'new, heard': { folder: 'new', heard: true },
  'saved, unheard': { folder: 'saved', heard: false },
  'saved, heard': { folder: 'saved', heard: true },
  'deleted, unheard': { folder: 'deleted', heard: false },
  'deleted, heard': { folder: 'deleted', heard: true },
  purged: { folder: 'purged', heard: false },
} as const satisfies Record<string, VoicemailState>;

export type VoicemailCase = keyof typeof voicemailCases;

export const emailCases = {
  'Inbox, unread': { location: 'inbox', read: false },
  'Inbox, read': { location: 'inbox', read: true },
  'archive, unread': { location: 'archive', read: false },
  'archive, read': { location: 'archive', read: true },
  'Trash, unread': { location: 'trash', read: false },
  'Trash, read': { location: 'trash', read: true },
  purged: { location: 'purged', read: false },
} as const satisfies Record<string, EmailState>;

export type EmailCase = keyof typeof emailCases;

export const voicemailCaseNames = Object.keys(voicemailCases) as VoicemailCase[];
export const emailCaseNames = Object.keys(emailCases) as EmailCase[];

/** Named sets of states that the rule tables' conditions and changes refer to. */
export const voicemailGroups = {
  'new or saved': ['new, unheard', 'new, heard', 'saved, unheard', 'saved, heard'],
  heard: ['new, heard', 'saved, heard'],
  unheard: ['new, unheard', 'saved, unheard'],
  'in new': ['new, unheard', 'new, heard'],
  'in saved': ['saved, unheard', 'saved, heard'],
  'in deleted': ['deleted, unheard', 'deleted, heard'],
  'in deleted or purged': ['deleted, unheard', 'deleted, heard', 'purged'],
  'not heard': ['new, unheard', 'saved, unheard', 'deleted, unheard', 'deleted, heard', 'purged'],
  purged: ['purged'],
} as const satisfies Record<string, readonly VoicemailCase[]>;

export type VoicemailGroup = keyof typeof voicemailGroups;

export const emailGroups = {
  'in Inbox': ['Inbox, unread', 'Inbox, read'],
  archived: ['archive, unread', 'archive, read'],
  'in Inbox or archive': ['Inbox, unread', 'Inbox, read', 'archive, unread', 'archive, read'],
  'in Trash': ['Trash, unread', 'Trash, read'],
  'in Trash or purged': ['Trash, unread', 'Trash, read', 'purged'],
  read: ['Inbox, read', 'archive, read', 'Trash, read'],
  unread: ['Inbox, unread', 'archive, unread', 'Trash, unread'],
  purged: ['purged'],
} as const satisfies Record<string, readonly EmailCase[]>;

export type EmailGroup = keyof typeof emailGroups;
