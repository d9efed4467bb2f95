import type { Command } from '../command.js';
import { ExitCode } from '../exit-codes.js';
import { ago, table } from '../output.js';
import { needsAdmin, SyncView, type UserSyncView } from '../sync-view.js';

/**
 * `vmsync status [USER]`: a user's linked pairs with both sides' states, their last sync
 * and its latency, and their mailbox's state; without USER, every user in one line each.
 * Exit 1 when a mailbox waits for an administrator.
 */
export const status: Command = {
  words: ['status'],
  usage: 'status [ADDRESS]',
  summary: "linked pairs and both sides' states, last sync and latency, what needs an admin",
  async run(ctx, args) {
    const view = new SyncView(await ctx.store());
    const [user] = args.positionals;
    if (user !== undefined) {
      const u = await view.user(user);
      ctx.out.result(u, () => formatUser(u));
      return needsAdmin(u.mailbox) ? ExitCode.problemFound : ExitCode.ok;
    }
    ctx.out.progress('reading every user');
    const all = await view.all();
    const recent = await view.syncs.recent(10);
    const admin = all.filter((u) => needsAdmin(u.mailbox));
    ctx.out.result({ users: all, recentSyncs: recent, needsAdmin: admin.map((u) => u.user) }, () =>
      [
        table(
          ['USER', 'PAIRS', 'WAITING', 'MAILBOX', 'LAST SYNC'],
          all.map((u) => [
            u.user,
            String(u.pairs.length),
            `${u.waiting.voicemails} vm / ${u.waiting.emails} email`,
            u.mailbox?.state ?? '-',
            u.lastSync
              ? `${u.lastSync.action} ${ago(u.lastSync.at)} (${u.lastSync.latencyMs} ms)`
              : '-',
          ]),
        ),
        ...admin.map((u) => `\nNEEDS ADMIN ${u.user}: ${u.mailbox?.message ?? ''}`),
      ].join('\n'),
    );
    return admin.length > 0 ? ExitCode.problemFound : ExitCode.ok;
  },
};

export function formatUser(u: UserSyncView): string {
  const lines = [`${u.user}`];
  const m = u.mailbox;
  lines.push(
    m === null
      ? '  mailbox: not watched yet (no status from an email-watcher)'
      : `  mailbox: ${m.state} since ${ago(m.since)} (watcher ${m.instance})`,
  );
  if (needsAdmin(m)) lines.push(`  NEEDS ADMIN [${m?.code}]: ${m?.message}`);
  lines.push(
    u.lastSync === null
      ? '  last sync: none recorded'
      : `  last sync: ${u.lastSync.action} on the ${u.lastSync.side} ${ago(u.lastSync.at)}, latency ${u.lastSync.latencyMs} ms`,
  );
  lines.push(
    `  waiting for a partner: ${u.waiting.voicemails} voicemails, ${u.waiting.emails} emails`,
  );
  lines.push(`  linked pairs: ${u.pairs.length}`);
  if (u.pairs.length > 0) {
    lines.push(
      table(
        ['  VOICEMAIL', 'STATE', 'EMAIL', 'STATE', 'KIND'],
        u.pairs.map((p) => [
          `  ${p.pair.voicemail}`,
          p.voicemail
            ? `${p.voicemail.state.folder}${p.voicemail.state.heard ? ' heard' : ''}`
            : 'unknown',
          p.pair.email.slice(p.pair.email.indexOf('/') + 1),
          p.email ? `${p.email.state.location}${p.email.state.read ? ' read' : ''}` : 'unknown',
          p.pair.kind,
        ]),
      ),
    );
  }
  return lines.join('\n');
}
