import { type Command, str } from '../command.js';
import { diagnoseDomain, formatDiagnosis } from '../diagnose-domain.js';
import { ExitCode, usageError } from '../exit-codes.js';

/**
 * `vmsync domain test DOMAIN --user U`: mints a token for U, logs in over IMAP, finds
 * Trash; a failure is explained with the exact fix. Exit 1 when a step fails.
 */
export const domainTest: Command = {
  words: ['domain', 'test'],
  usage: 'domain test DOMAIN --user ADDRESS',
  summary: "check a domain's credential end to end for one user (token, IMAP login, Trash)",
  options: { user: { type: 'string' } },
  async run(ctx, args) {
    const [domain] = args.positionals;
    const user = str(args, 'user');
    if (!domain) throw usageError('domain test needs a domain name');
    if (!user?.includes('@')) {
      throw usageError(`domain test needs --user: an address in ${domain} to log in as`);
    }
    if (!user.toLowerCase().endsWith(`@${domain.toLowerCase()}`)) {
      throw usageError(`--user ${user} is not an address in ${domain}`);
    }
    const diagnosis = await diagnoseDomain(ctx.domainsFile().load(), user, (m) =>
      ctx.out.progress(m),
    );
    ctx.out.result(diagnosis, () => formatDiagnosis(diagnosis));
    return diagnosis.ok ? ExitCode.ok : ExitCode.problemFound;
  },
};
