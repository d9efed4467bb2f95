import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IntentLog } from './intents.js';
import { Store } from './store.js';

const url = process.env.VMSYNC_REDIS_URL;
if (!url) throw new Error('VMSYNC_REDIS_URL is not set: start the stack (./vmsync stack up)');

interface Mail {
  location: string;
  read: boolean;
}

describe('IntentLog', () => {
  const store = new Store({ url, prefix: `test-${randomUUID()}` });
  const intents = new IntentLog<Mail>(store, 'email');
  beforeAll(() => store.connect());
  afterAll(() => store.close());

  it('recognises the change an actuator announced, once', async () => {
    await intents.record('m1', { commandId: 'c1', expect: { read: true }, at: 1 });
    const before = { location: 'inbox', read: false };
    const after = { location: 'inbox', read: true };
    expect(await intents.matchEcho('m1', before, after)).toBe('c1');
    // consumed: the same transition again is a user's
    expect(await intents.matchEcho('m1', before, after)).toBeNull();
  });

  it('treats a change that no intent explains as a user change, keeping the intents', async () => {
    await intents.record('m2', { commandId: 'c2', expect: { read: true }, at: 1 });
    const before = { location: 'inbox', read: false };
    expect(await intents.matchEcho('m2', before, { location: 'trash', read: true })).toBeNull();
    expect(await intents.matchEcho('m2', before, { location: 'inbox', read: true })).toBe('c2');
  });

  it('explains a change of two fields by two intents', async () => {
    await intents.record('m3', { commandId: 'c3b', expect: { read: false }, at: 1 });
    await intents.record('m3', { commandId: 'c3a', expect: { location: 'inbox' }, at: 1 });
    const echo = await intents.matchEcho(
      'm3',
      { location: 'trash', read: true },
      { location: 'inbox', read: false },
    );
    expect(echo).toBe('c3a');
  });

  it('does not take a change to another value for the echo', async () => {
    await intents.record('m4', { commandId: 'c4', expect: { location: 'trash' }, at: 1 });
    const echo = await intents.matchEcho(
      'm4',
      { location: 'inbox', read: false },
      { location: 'archive', read: false },
    );
    expect(echo).toBeNull();
  });

  it('consumes every intent the change fulfils, so a later identical user change is not an echo', async () => {
    await intents.record('m5', {
      commandId: 'c5a',
      expect: { location: 'inbox', read: true },
      at: 1,
    });
    await intents.record('m5', {
      commandId: 'c5b',
      expect: { location: 'inbox', read: true },
      at: 2,
    });
    const trash = { location: 'trash', read: true };
    const inbox = { location: 'inbox', read: true };
    expect(['c5a', 'c5b']).toContain(await intents.matchEcho('m5', trash, inbox));
    expect(await intents.matchEcho('m5', trash, inbox)).toBeNull();
  });

  it('hands a look the intents applied before it began, and forgets them once accounted for', async () => {
    await intents.record('m6', { commandId: 'c6a', expect: { read: true }, at: 1 });
    await intents.record('m6', { commandId: 'c6b', expect: { location: 'trash' }, at: 2 });
    await intents.record('m7', { commandId: 'c7', expect: { read: true }, at: 3 });
    await intents.markApplied('box1', 'm6', 'c6a', 100);
    await intents.markApplied('box1', 'm7', 'c7', 300);
    // c6b recorded but never applied (the actuator died first): not for a look to judge
    const look = await intents.appliedBefore('box1', 200);
    expect([...look.decided.keys()]).toEqual(['m6']);
    expect(look.decided.get('m6')?.map((i) => [i.commandId, i.appliedAt])).toEqual([['c6a', 100]]);
    expect(look.undecided).toBe(true); // m7 was applied after the look began

    await intents.consume('m6', ['c6a']);
    const later = await intents.appliedBefore('box1', 400);
    expect([...later.decided.keys()]).toEqual(['m7']);
    // an echo seen the ordinary way takes its applied mark along
    expect(
      await intents.matchEcho(
        'm7',
        { location: 'inbox', read: false },
        { location: 'inbox', read: true },
      ),
    ).toBe('c7');
    expect((await intents.appliedBefore('box1', 400)).decided.size).toBe(0);
    expect(await store.redis.smembers(store.key('intent-applied-in', 'email', 'box1'))).toEqual([]);
  });

  it('retires intents overtaken by a newer one the change echoes, so they cannot swallow a user change later', async () => {
    // ensure-saved, then ensure-unheard: the watcher sees only deleted -> new
    await intents.record('m8', { commandId: 'saved', expect: { location: 'saved' }, at: 10 });
    await intents.record('m8', {
      commandId: 'unheard',
      expect: { location: 'new', read: false },
      at: 20,
    });
    const deleted = { location: 'deleted', read: true };
    expect(await intents.matchEcho('m8', deleted, { location: 'new', read: false })).toBe(
      'unheard',
    );
    // later the user deletes and undeletes on the phone: theirs, not vmsync's
    expect(await intents.matchEcho('m8', deleted, { location: 'saved', read: true })).toBeNull();
  });
});
