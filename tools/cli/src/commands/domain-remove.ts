import type { Command } from '../command.js';
import { ExitCode, usageError } from '../exit-codes.js';

/** `vmsync domain remove DOMAIN`: its users stop being synchronized; no message is touched. */
export const domainRemove: Command = {
  words: ['domain', 'remove'],
  usage: 'domain remove DOMAIN',
  summary:
    'remove a domain: its users stop being synchronized (their messages are left as they are)',
  async run(ctx, args) {
    const [domain] = args.positionals;
    if (!domain) throw usageError('domain remove needs a domain name');
    const file = ctx.domainsFile();
    const removed = file.remove(domain);
    ctx.out.result({ ok: removed, domain, removed, file: file.path }, () =>
      removed
        ? `${domain} removed from ${file.path}. The key file itself was left in place.`
        : `${domain} is not in ${file.path}.`,
    );
    return removed ? ExitCode.ok : ExitCode.problemFound;
  },
};
