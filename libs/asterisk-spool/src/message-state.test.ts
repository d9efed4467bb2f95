import { describe, expect, it } from 'vitest';
import { deriveMessageState, type MessageCopy } from './message-state.js';
import { FOLDERS, type SpoolFolder } from './spool-layout.js';

const at = (folder: SpoolFolder, msgnum = 0): MessageCopy => ({ folder, msgnum });

describe('deriveMessageState (DESIGN.md §7)', () => {
  it.each([
    ['INBOX', 'new', false],
    ['Urgent', 'new', false],
    ['Old', 'saved', true],
    ['Work', 'saved', true],
    ['Family', 'saved', true],
    ['Friends', 'saved', true],
    ['Cust1', 'saved', true],
    ['Cust5', 'saved', true],
    ['Deleted', 'deleted', true],
  ] as const)('a message only in %s is %s', (folder, state, heard) => {
    expect(deriveMessageState([at(folder)], [])).toEqual({
      status: 'known',
      state: { folder: state, heard },
      best: at(folder),
    });
  });

  it('covers every Asterisk folder', () => {
    for (const f of FOLDERS) expect(deriveMessageState([at(f)], []).status).toBe('known');
  });

  it.each([
    [['INBOX', 'Deleted'], 'INBOX', 'new'],
    [['Urgent', 'Deleted'], 'Urgent', 'new'],
    [['Old', 'Deleted'], 'Old', 'saved'],
    [['Work', 'Deleted'], 'Work', 'saved'],
    [['Deleted', 'Old', 'INBOX'], 'INBOX', 'new'],
    [['Old', 'INBOX'], 'INBOX', 'new'],
    [['Work', 'Old'], 'Old', 'saved'],
    [['Urgent', 'INBOX'], 'INBOX', 'new'],
  ] as const)(
    'copies in %j: read from %s (%s) — a Deleted copy never wins',
    (folders, best, state) => {
      const d = deriveMessageState(
        folders.map((f) => at(f)),
        [],
      );
      expect(d.status).toBe('known');
      if (d.status === 'known') {
        expect(d.best.folder).toBe(best);
        expect(d.state.folder).toBe(state);
      }
    },
  );

  it('two copies in Deleted are still deleted; the lower number speaks', () => {
    expect(deriveMessageState([at('Deleted', 4), at('Deleted', 1)], [])).toMatchObject({
      status: 'known',
      state: { folder: 'deleted' },
      best: at('Deleted', 1),
    });
  });

  it('an unreadable copy that could outrank the readable ones makes the message unknown', () => {
    // Readable only in Deleted, a half-written copy in Old: it may be alive.
    expect(deriveMessageState([at('Deleted')], [{ folder: 'Old', reason: 'partial' }]).status).toBe(
      'unknown',
    );
    expect(deriveMessageState([at('Old')], [{ folder: 'INBOX', reason: 'partial' }]).status).toBe(
      'unknown',
    );
    expect(
      deriveMessageState([at('Deleted')], [{ folder: null, reason: 'unknown folder' }]).status,
    ).toBe('unknown');
    expect(deriveMessageState([], [{ folder: 'Deleted', reason: 'missing audio' }]).status).toBe(
      'unknown',
    );
  });

  it('an unreadable copy that cannot change the outcome does not hide a readable one', () => {
    expect(
      deriveMessageState([at('INBOX')], [{ folder: 'Deleted', reason: 'partial' }]),
    ).toMatchObject({
      status: 'known',
      state: { folder: 'new' },
    });
    expect(
      deriveMessageState([at('INBOX')], [{ folder: null, reason: 'unknown folder' }]).status,
    ).toBe('known');
    expect(deriveMessageState([at('Old')], [{ folder: 'Work', reason: 'partial' }]).status).toBe(
      'known',
    );
    expect(
      deriveMessageState([at('Urgent')], [{ folder: 'INBOX', reason: 'partial' }]).status,
    ).toBe('known');
  });
});
