import { describe, expect, it } from 'vitest';
import { TlsSessions } from './tls-sessions.js';

const socket = (bytes: string | undefined) => ({
  getSession: () => (bytes === undefined ? undefined : Buffer.from(bytes)),
});

describe('TlsSessions', () => {
  it('offers the newest session a server gave, to that server only', () => {
    const sessions = new TlsSessions<object>();
    const a = {};
    const b = {};
    expect(sessions.offer(a)).toBeUndefined();
    sessions.keep(a, socket('first'));
    sessions.keep(a, socket('second'));
    expect(sessions.offer(a)?.toString()).toBe('second');
    expect(sessions.offer(b)).toBeUndefined();
  });

  it('keeps nothing from a connection without a session', () => {
    const sessions = new TlsSessions<object>();
    const a = {};
    sessions.keep(a, socket('kept'));
    sessions.keep(a, socket(undefined));
    sessions.keep(a, undefined);
    expect(sessions.offer(a)?.toString()).toBe('kept');
  });

  it('stops offering a session after its age limit', () => {
    let now = 0;
    const sessions = new TlsSessions<object>(1_000, () => now);
    const a = {};
    sessions.keep(a, socket('old'));
    now = 1_000;
    expect(sessions.offer(a)?.toString()).toBe('old');
    now = 1_001;
    expect(sessions.offer(a)).toBeUndefined();
  });
});
