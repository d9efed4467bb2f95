import { describe, expect, it } from 'vitest';
import { planPairs } from './plan.js';
import type { PairView } from './sync-view.js';

const pair = (v: PairView['voicemail'], e: PairView['email']): PairView => ({
  pair: { voicemail: 'pbx1/100@default/1-1', email: 'a@example.test/mid:<1@pbx>', kind: 'wav' },
  voicemail: v,
  email: e,
});
const vm = (folder: 'new' | 'saved' | 'deleted', heard: boolean) =>
  ({ state: { folder, heard }, observedAt: 1 }) as PairView['voicemail'];
const em = (location: 'inbox' | 'trash', read: boolean) =>
  ({ state: { location, read }, observedAt: 2 }) as PairView['email'];

describe('planPairs: the rules’ own reconcile, per pair', () => {
  it('decides from the recorded states, as start-up reconciliation would', () => {
    const [heard, deleted, agreed] = planPairs([
      pair(vm('saved', true), em('inbox', false)),
      pair(vm('deleted', false), em('inbox', true)),
      pair(vm('new', false), em('inbox', false)),
    ]);
    expect(heard?.decisions).toEqual([{ side: 'email', action: 'ensure-read' }]);
    expect(heard?.voicemailState).toBe('saved, heard');
    expect(deleted?.decisions).toEqual([{ side: 'email', action: 'ensure-trash' }]);
    expect(agreed?.decisions).toEqual([]);
  });

  it('decides nothing when a side was never observed, and says so', () => {
    const [p] = planPairs([pair(vm('deleted', false), null)]);
    expect(p?.decisions).toEqual([]);
    expect(p?.unknown).toContain('email state is not known');
  });
});
