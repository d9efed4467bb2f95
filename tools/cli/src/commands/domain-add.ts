import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { MailDomainConfig } from '@vmsync/imap-mailbox';
import { GoogleServiceAccountCredential } from '@vmsync/mail-auth';
import { type Command, str } from '../command.js';
import { configError, ExitCode, usageError } from '../exit-codes.js';

/** `vmsync domain add DOMAIN --key FILE`: registers a Workspace domain in the domains file. */
export const domainAdd: Command = {
  words: ['domain', 'add'],
  usage:
    'domain add DOMAIN --key SA-KEY.json [--imap-host H] [--imap-port N] [--tls-ca PEM] [--servername NAME] [--token-url URL]',
  summary: 'register a Google Workspace domain with its service-account key (or replace its key)',
  options: {
    key: { type: 'string' },
    'imap-host': { type: 'string' },
    'imap-port': { type: 'string' },
    'tls-ca': { type: 'string' },
    servername: { type: 'string' },
    'token-url': { type: 'string' },
  },
  async run(ctx, args) {
    const [domain] = args.positionals;
    const key = str(args, 'key');
    if (!domain || !/^[a-z0-9.-]+\.[a-z]{2,}$/i.test(domain)) {
      throw usageError(
        'domain add needs a domain name, e.g. `domain add example.com --key sa.json`',
      );
    }
    if (!key) throw usageError('domain add needs --key: the JSON key file of the service account');
    const keyFile = resolve(key);
    ctx.out.progress(`checking the key file ${keyFile}`);
    // A key file that is not a service-account key is refused now, not at the first login.
    const credential = await GoogleServiceAccountCredential.fromFile(keyFile).catch((e: Error) => {
      throw configError(e.message, e);
    });
    const tlsCa = str(args, 'tls-ca');
    if (tlsCa !== undefined && !existsSync(tlsCa))
      throw configError(`--tls-ca ${tlsCa} does not exist`);
    const host = str(args, 'imap-host');
    const port = str(args, 'imap-port');
    const entry: MailDomainConfig = {
      domain: domain.toLowerCase(),
      kind: 'google',
      serviceAccountKeyFile: keyFile,
      imap: {
        host: host ?? 'imap.gmail.com',
        port: port === undefined ? 993 : Number(port),
        secure: true,
        ...(tlsCa === undefined ? {} : { tlsCaFile: resolve(tlsCa) }),
        ...(str(args, 'servername') === undefined
          ? {}
          : { servername: str(args, 'servername') as string }),
      },
      ...(str(args, 'token-url') === undefined
        ? {}
        : { tokenUrl: str(args, 'token-url') as string }),
    };
    const file = ctx.domainsFile();
    const done = file.put(entry);
    const data = {
      ok: true,
      domain: entry.domain,
      [done]: true,
      file: file.path,
      clientId: credential.clientId,
      clientEmail: credential.clientEmail,
      scopes: credential.scopes,
    };
    ctx.out.result(data, () =>
      [
        `${entry.domain} ${done} in ${file.path} (the running services pick it up within seconds).`,
        `Service account ${credential.clientEmail}, client ID ${credential.clientId}.`,
        `In the Google Admin console > Security > Access and data control > API controls > Domain-wide delegation,`,
        `client ID ${credential.clientId} must have scope ${credential.scopes.join(',')}.`,
        `Check it with: vmsync domain test ${entry.domain} --user SOMEONE@${entry.domain}`,
      ].join('\n'),
    );
    return ExitCode.ok;
  },
};
