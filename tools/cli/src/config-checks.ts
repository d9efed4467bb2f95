import { connect } from 'node:net';
import type { VoicemailConf } from '@vmsync/asterisk-spool';
import type { MailDomains } from '@vmsync/imap-mailbox';
import { GoogleServiceAccountCredential } from '@vmsync/mail-auth';
import type { CliContext } from './context.js';
import { diagnoseDomain } from './diagnose-domain.js';

export interface Check {
  check: string;
  level: 'ok' | 'warn' | 'fail';
  detail: string;
}

/** Each domain: its key file, then end to end as a user of voicemail.conf, else its IMAP port. */
export async function checkDomains(
  ctx: CliContext,
  domains: MailDomains,
  conf: VoicemailConf | undefined,
  add: (check: string, level: Check['level'], detail: string) => void,
): Promise<void> {
  for (const entry of ctx.domainsFile().read().domains) {
    const name = `domain ${entry.domain}`;
    if (entry.kind === 'google') {
      try {
        await GoogleServiceAccountCredential.fromFile(entry.serviceAccountKeyFile);
      } catch (error) {
        add(name, 'fail', (error as Error).message);
        continue;
      }
    }
    const user = conf?.users.find((u) =>
      u.notify?.email.toLowerCase().endsWith(`@${entry.domain.toLowerCase()}`),
    )?.notify?.email;
    if (user === undefined) {
      try {
        await reach(entry.imap.host, entry.imap.port);
        add(
          name,
          'warn',
          `IMAP ${entry.imap.host}:${entry.imap.port} answers; no voicemail box sends to this domain, so no login was tried`,
        );
      } catch (error) {
        add(
          name,
          'fail',
          `IMAP ${entry.imap.host}:${entry.imap.port}: ${(error as Error).message}`,
        );
      }
      continue;
    }
    const d = await diagnoseDomain(domains, user, (m) => ctx.out.progress(m));
    add(
      name,
      d.ok ? 'ok' : 'fail',
      d.ok
        ? `${user}: token, IMAP login and Trash ("${d.trash}") all work`
        : `${user}: [${d.problem?.code}] ${d.problem?.message}`,
    );
  }
}

function reach(host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port, timeout: 5_000 });
    socket.once('connect', () => {
      socket.destroy();
      resolve();
    });
    socket.once('timeout', () => {
      socket.destroy();
      reject(new Error('no answer in 5 s'));
    });
    socket.once('error', reject);
  });
}

/** `serveremail` addresses of synchronized boxes that the rules would not recognise. */
export function unlistedSenders(conf: VoicemailConf, listed: string): string[] {
  const senders = new Set(
    listed
      .split(',')
      .map((a) => a.trim().toLowerCase())
      .filter(Boolean),
  );
  const used = conf.users
    .filter((u) => u.notify !== null && u.serverEmail.includes('@'))
    .map((u) => u.serverEmail.toLowerCase());
  return [...new Set(used)].filter((a) => !senders.has(a));
}
