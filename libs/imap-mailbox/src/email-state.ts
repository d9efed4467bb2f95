import type { EmailState } from '@vmsync/events';

export type FolderRole = 'inbox' | 'archive' | 'trash';

/** Where one copy of an email is, and whether it is \Seen. */
export interface EmailCopy {
  folder: string;
  role: FolderRole;
  uid: number;
  read: boolean;
}

/** A live copy outranks one in Trash: a deletion is never inferred while a copy remains (DESIGN.md §2). */
const RANK: Record<FolderRole, number> = { inbox: 0, archive: 1, trash: 2 };

/** The copy that decides the email's state; undefined when there is none. */
export function principalCopy(copies: readonly EmailCopy[]): EmailCopy | undefined {
  let best: EmailCopy | undefined;
  for (const c of copies) if (best === undefined || RANK[c.role] < RANK[best.role]) best = c;
  return best;
}

/**
 * The email's state from the copies a complete, successful look found (inbox > archive >
 * trash). No copy at all is `purged` — a caller may only say so after a look that did not
 * fail anywhere; a failed look yields no state at all (unknown), never a deletion.
 */
export function emailStateOf(copies: readonly EmailCopy[], lastRead = false): EmailState {
  const best = principalCopy(copies);
  if (best === undefined) return { location: 'purged', read: lastRead };
  return { location: best.role, read: best.read };
}
