import { describe, expect, it } from 'vitest';
import { TlsSessions } from './tls-sessions.js';

const socket = (bytes: string | undefined, reused = false) => ({
  getSession: () => (bytes === undefined ? undefined : Buffer.from(bytes)),
  isSessionReused: () => reused,
});

describe('TlsSessions', () => {
  it('offers a session a server gave, to that server only', () => {
    const sessions = new TlsSessions<object>();
    const a = {};
    const b = {};
    expect(sessions.offer(a)).toBeUndefined();
    sessions.keep(a, socket('first'));
    expect(sessions.offer(a)?.toString()).toBe('first');
    expect(sessions.offer(b)).toBeUndefined();
  });

  it('keeps its session through a full handshake or two (another TLS process answered)', () => {
    const sessions = new TlsSessions<object>();
    const a = {};
    sessions.keep(a, socket('process-1'));
    sessions.keep(a, socket('process-2'));
    sessions.keep(a, socket('process-2 again'));
    expect(sessions.offer(a)?.toString()).toBe('process-1');
    // Resumed: the session it resumed with (refreshed) is kept.
    sessions.keep(a, socket('process-1 renewed', true));
    expect(sessions.offer(a)?.toString()).toBe('process-1 renewed');
  });

  it('gives its session up for the newest after three full handshakes in a row', () => {
    const sessions = new TlsSessions<object>();
    const a = {};
    sessions.keep(a, socket('old key'));
    for (const s of ['new 1', 'new 2', 'new 3']) sessions.keep(a, socket(s));
    expect(sessions.offer(a)?.toString()).toBe('new 3');
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
