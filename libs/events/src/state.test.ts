import { describe, expect, it } from 'vitest';
import { emailDeleted, voicemailDeleted, voicemailHeard } from './state.js';

describe('derived states (DESIGN.md §2)', () => {
  it('a voicemail is Deleted in deleted or purged, and Heard only when not Deleted', () => {
    expect(voicemailDeleted({ folder: 'deleted', heard: true })).toBe(true);
    expect(voicemailDeleted({ folder: 'purged', heard: false })).toBe(true);
    expect(voicemailDeleted({ folder: 'saved', heard: true })).toBe(false);
    expect(voicemailHeard({ folder: 'deleted', heard: true })).toBe(false);
    expect(voicemailHeard({ folder: 'saved', heard: true })).toBe(true);
    expect(voicemailHeard({ folder: 'new', heard: false })).toBe(false);
  });

  it('an email is Deleted in trash or purged; archive is not a deletion', () => {
    expect(emailDeleted({ location: 'trash', read: false })).toBe(true);
    expect(emailDeleted({ location: 'purged', read: true })).toBe(true);
    expect(emailDeleted({ location: 'archive', read: true })).toBe(false);
    expect(emailDeleted({ location: 'inbox', read: false })).toBe(false);
  });
});
