import { describe, expect, it } from 'vitest';
import { AccessTokenStore } from './token-store.js';

const grant = { email: 'user1@example.test', clientId: '1', scopes: ['https://mail.google.com/'] };

describe('AccessTokenStore', () => {
  it('issues Google-shaped tokens that introspect as active until they expire', () => {
    const store = new AccessTokenStore();
    const issued = store.issue(grant, 1000, 3600);
    expect(issued).toMatchObject({ expires_in: 3599, token_type: 'Bearer' });
    expect(issued.access_token).toMatch(/^ya29\./);
    expect(store.introspect(issued.access_token, 1000 + 3599)).toEqual({
      active: true,
      email: 'user1@example.test',
      scope: 'https://mail.google.com/',
      exp: 4600,
      client_id: '1',
    });
    expect(store.introspect(issued.access_token, 4600)).toEqual({ active: false });
  });

  it('answers inactive for unknown tokens and for tokens without a mail scope', () => {
    const store = new AccessTokenStore();
    expect(store.introspect('ya29.unknown', 0)).toEqual({ active: false });
    const calendar = store.issue(
      { ...grant, scopes: ['https://www.googleapis.com/auth/calendar'] },
      0,
      3600,
    );
    expect(store.introspect(calendar.access_token, 1)).toEqual({ active: false });
  });

  it('forgets expired tokens', () => {
    const store = new AccessTokenStore();
    store.issue(grant, 0, 10);
    store.issue(grant, 100, 10);
    expect(store.size).toBe(1);
  });
});
