import { describe, expect, it } from 'vitest';
import { type ListedFolder, lookOrder, planFolders } from './folder-plan.js';

const f = (path: string, specialUse?: string, flags: string[] = []): ListedFolder => ({
  path,
  flags: new Set(flags),
  ...(specialUse === undefined ? {} : { specialUse, specialUseSource: 'extension' as const }),
});

describe('planFolders', () => {
  it('Gmail: Trash by \\Trash whatever its name; archive = All Mail and Spam', () => {
    const plan = planFolders(
      [
        f('INBOX'),
        f('[Gmail]', undefined, ['\\Noselect']),
        f('[Gmail]/Corbeille', '\\Trash'),
        f('[Gmail]/Tous les messages', '\\All'),
        f('[Gmail]/Spam', '\\Junk'),
        f('[Gmail]/Sent Mail', '\\Sent'),
        f('Work'),
      ],
      new Set(['X-GM-EXT-1', 'CONDSTORE', 'MOVE', 'UIDPLUS', 'SPECIAL-USE']),
    );
    expect(plan).toMatchObject({
      trash: '[Gmail]/Corbeille',
      archive: ['[Gmail]/Tous les messages', '[Gmail]/Spam'],
      gmail: true,
      condstore: true,
    });
    expect(lookOrder(plan).at(-1)).toBe('[Gmail]/Corbeille');
  });

  it('generic IMAP: every real folder but INBOX and Trash; a virtual \\All is skipped', () => {
    const plan = planFolders(
      [
        f('INBOX'),
        f('Trash', '\\Trash'),
        f('Sent', '\\Sent'),
        f('Archive'),
        f('[Gmail]/All Mail', '\\All'),
        f('[Gmail]', undefined, ['\\NonExistent']),
      ],
      new Map([['SPECIAL-USE', true]]),
    );
    expect(plan.archive).toEqual(['Sent', 'Archive']);
    expect(plan.gmail).toBe(false);
    expect(plan.move).toBe(false);
  });

  it('does not take a folder named Trash for \\Trash when the server speaks SPECIAL-USE', () => {
    const named: ListedFolder = {
      path: 'Trash',
      flags: new Set(),
      specialUse: '\\Trash',
      specialUseSource: 'name',
    };
    expect(() => planFolders([f('INBOX'), named], new Set(['SPECIAL-USE']))).toThrow(
      expect.objectContaining({ code: 'MAILBOX_NO_TRASH' }),
    );
    expect(planFolders([f('INBOX'), named], new Set()).trash).toBe('Trash');
  });
});
