import { loadVoicemailConf } from '@vmsync/asterisk-spool';
import { need } from '../cli-env.js';
import type { Command } from '../command.js';
import { configError, ExitCode } from '../exit-codes.js';
import { table } from '../output.js';
import { classifyUsers } from '../users-view.js';

/** `vmsync users`: who is synchronized, and for everyone else why not (DESIGN.md §5). */
export const users: Command = {
  words: ['users'],
  usage: 'users',
  summary: 'who is synchronized, and why not for the others',
  async run(ctx) {
    const confPath = need(ctx.env, 'VMSYNC_VOICEMAIL_CONF', "Asterisk's voicemail.conf");
    const conf = await loadVoicemailConf(confPath).catch((e: Error) => {
      throw configError(e.message, e);
    });
    const domains = ctx.domainsFile().load();
    const views = classifyUsers(conf.users, (a) => domains.forAccount(a) !== undefined);
    const synced = views.filter((v) => v.synchronized).length;
    ctx.out.result({ voicemailConf: confPath, synchronized: synced, users: views }, () =>
      [
        table(
          ['MAILBOX', 'NAME', 'ADDRESS', 'SYNC', 'WHY NOT'],
          views.map((v) => [
            v.mailbox,
            v.name,
            v.address ?? '-',
            v.synchronized ? `yes (${v.kind})` : 'no',
            v.why ?? '',
          ]),
        ),
        '',
        `${synced} of ${views.length} voicemail boxes synchronized.`,
      ].join('\n'),
    );
    return ExitCode.ok;
  },
};
