import { describe, expect, it } from 'vitest';
import { actionPart, emailChangedParts, NEVER, touch, voicemailChangedParts } from './parts.js';

describe('parts of a change', () => {
  it('separates deletion from the heard flag on the voicemail side', () => {
    expect(
      voicemailChangedParts({ folder: 'new', heard: false }, { folder: 'saved', heard: true }),
    ).toEqual(['read']);
    // Asterisk's Deleted folder has no heard flag: deleting is a deletion only
    expect(
      voicemailChangedParts({ folder: 'new', heard: false }, { folder: 'deleted', heard: true }),
    ).toEqual(['deletion']);
    expect(
      voicemailChangedParts({ folder: 'deleted', heard: true }, { folder: 'purged', heard: true }),
    ).toEqual([]);
    expect(voicemailChangedParts(null, { folder: 'new', heard: false })).toEqual([]);
  });

  it('can see both parts change at once on the email side', () => {
    expect(
      emailChangedParts({ location: 'trash', read: true }, { location: 'inbox', read: false }),
    ).toEqual(['deletion', 'read']);
    expect(
      emailChangedParts({ location: 'inbox', read: true }, { location: 'archive', read: true }),
    ).toEqual([]);
  });

  it('maps every action to the part it changes', () => {
    expect(actionPart('ensure-trash')).toBe('deletion');
    expect(actionPart('ensure-saved')).toBe('deletion');
    expect(actionPart('ensure-unread')).toBe('read');
    expect(actionPart('ensure-heard')).toBe('read');
  });

  it('touches only the parts that changed', () => {
    expect(touch(NEVER, ['read'], 5)).toEqual({ deletion: 0, read: 5 });
  });
});
