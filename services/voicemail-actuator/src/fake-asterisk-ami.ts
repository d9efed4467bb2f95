import { createServer, type Server } from 'node:net';

/**
 * A small AMI-speaking listener standing in for Asterisk's manager interface in tests:
 * it checks the login secret and records every action it receives.
 */
export function fakeAsterisk(
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
