import type { Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { AmiClient } from './ami-client.js';
import { fakeAsterisk } from './fake-asterisk-ami.js';

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
