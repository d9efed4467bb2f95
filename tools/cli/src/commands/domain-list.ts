import type { Command } from '../command.js';
import { ExitCode } from '../exit-codes.js';
import { table } from '../output.js';

/** `vmsync domain list`: the domains vmsync has a mail credential for. */
export const domainList: Command = {
  words: ['domain', 'list'],
  usage: 'domain list',
  summary: 'list the registered domains and their credentials',
  async run(ctx) {
    const file = ctx.domainsFile();
    const domains = file.read().domains.map((d) => ({
      domain: d.domain,
      kind: d.kind,
      credential: d.kind === 'google' ? d.serviceAccountKeyFile : d.passwordFile,
      imap: `${d.imap.host}:${d.imap.port}`,
    }));
    ctx.out.result({ file: file.path, domains }, () =>
      domains.length === 0
        ? `No domain in ${file.path}. Add one: vmsync domain add DOMAIN --key SA-KEY.json`
        : table(
            ['DOMAIN', 'KIND', 'IMAP', 'CREDENTIAL'],
            domains.map((d) => [d.domain, d.kind, d.imap, d.credential]),
          ),
    );
    return ExitCode.ok;
  },
};
