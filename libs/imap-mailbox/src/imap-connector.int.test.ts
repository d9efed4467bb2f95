import type { TLSSocket } from 'node:tls';
import type { ImapFlow } from 'imapflow';
import { afterAll, describe, expect, it } from 'vitest';
import { ImapConnector } from './imap-connector.adapter.js';
import { loadMailDomains } from './mail-domains.js';
import { stackEnv, writeTestDomainsFile } from './testing/index.js';

const env = stackEnv();
const socketOf = (client: ImapFlow) => (client as unknown as { socket: TLSSocket }).socket;
/** A connector of its own: its TLS sessions are its own too. */
const newConnector = () =>
  new ImapConnector(loadMailDomains(writeTestDomainsFile(env)), {
    login: { ratePerSecond: 20, burst: 20 },
    keepAliveMs: 0,
  });

describe('ImapConnector TLS sessions (real Dovecot)', () => {
  const open: ImapFlow[] = [];
  afterAll(async () => {
    await Promise.allSettled(open.map((c) => c.logout()));
  });

  it('resumes the TLS session of the login before, with the certificate checked on the first', async () => {
    const connector = newConnector();
    const first = await connector.connect('user10@example.test');
    open.push(first);
    expect(socketOf(first).isSessionReused()).toBe(false);
    expect(socketOf(first).authorized).toBe(true);
    // The stack's Dovecot runs two TLS (imap-login) processes, each with its own ticket key:
    // a login reaching the other one gets a full handshake and a session from that one.
    let resumed: ImapFlow | undefined;
    for (let attempt = 0; attempt < 16 && resumed === undefined; attempt++) {
      const next = await connector.connect('user11@example.test');
      if (socketOf(next).isSessionReused()) resumed = next;
      else await next.logout();
    }
    expect(resumed).toBeDefined();
    open.push(resumed as ImapFlow);
    // A resumed session is a logged-in, working connection like any other.
    const status = await (resumed as ImapFlow).status('INBOX', { messages: true });
    expect(status ? status.messages : -1).toBeGreaterThanOrEqual(0);
  });

  it('offers nothing to a connector that never connected (each domain entry has its own)', async () => {
    const connector = newConnector();
    const client = await connector.connect('user10@example.test');
    open.push(client);
    expect(socketOf(client).isSessionReused()).toBe(false);
  });
});
