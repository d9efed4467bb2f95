import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { AmiClient } from './ami-client.js';

/** A small AMI-speaking listener that records the actions it receives. */
function fakeAsterisk(
  secret: string,
): Promise<{ server: Server; port: number; actions: Record<string, string>[] }> {
  const actions: Record<string, string>[] = [];
  const server = createServer((socket) => {
    socket.write('Asterisk Call Manager/9.0.0\r\n');
    let buffer = '';
    let loggedIn = false;
    socket.on('data', (chunk) => {
      buffer += chunk.toString();
      for (let end = buffer.indexOf('\r\n\r\n'); end >= 0; end = buffer.indexOf('\r\n\r\n')) {
        const packet = Object.fromEntries(
          buffer
            .slice(0, end)
            .split('\r\n')
            .map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1).trim()]),
        );
        buffer = buffer.slice(end + 4);
        actions.push(packet);
        const id = packet.ActionID;
        if (packet.Action === 'Login') {
          loggedIn = packet.Secret === secret;
          socket.write(
            loggedIn
              ? `Response: Success\r\nActionID: ${id}\r\nMessage: Authentication accepted\r\n\r\n`
              : `Response: Error\r\nActionID: ${id}\r\nMessage: Authentication failed\r\n\r\n`,
          );
        } else if (!loggedIn) {
          socket.write(`Response: Error\r\nActionID: ${id}\r\nMessage: Permission denied\r\n\r\n`);
        } else {
          socket.write(
            `Response: Success\r\nActionID: ${id}\r\nMessage: Mailbox refreshed\r\n\r\n`,
          );
        }
      }
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      resolve({ server, port: typeof address === 'object' && address ? address.port : 0, actions });
    }),
  );
}

describe('AmiClient', () => {
  let server: Server | undefined;
  afterEach(() => server?.close());

  it('logs in once and sends VoicemailRefresh for the mailbox', async () => {
    const ami = await fakeAsterisk('s3cret');
    server = ami.server;
    const client = new AmiClient({
      host: '127.0.0.1',
      port: ami.port,
      username: 'vmsync',
      secret: 's3cret',
    });
    await client.voicemailRefresh('default', '1001');
    await client.voicemailRefresh('default', '1002');
    client.close();
    expect(ami.actions.map((a) => a.Action)).toEqual([
      'Login',
      'VoicemailRefresh',
      'VoicemailRefresh',
    ]);
    expect(ami.actions[1]).toMatchObject({ Context: 'default', Mailbox: '1001' });
  });

  it('says the login was refused without printing the secret', async () => {
    const ami = await fakeAsterisk('right');
    server = ami.server;
    const client = new AmiClient({
      host: '127.0.0.1',
      port: ami.port,
      username: 'vmsync',
      secret: 'wrong-secret',
    });
    const error = await client.voicemailRefresh('default', '1001').catch((e: Error) => e);
    expect(error).toMatchObject({ code: 'AMI_LOGIN_FAILED' });
    expect(String((error as Error).message)).not.toContain('wrong-secret');
  });

  it('reports an unreachable AMI as retriable', async () => {
    const client = new AmiClient({
      host: '127.0.0.1',
      port: 1,
      username: 'u',
      secret: 's',
      timeoutMs: 1000,
    });
    await expect(client.voicemailRefresh('default', '1001')).rejects.toMatchObject({
      retriable: true,
    });
  });
});
