import { loadVoicemailConf } from '@vmsync/asterisk-spool';
import type { MailboxStatus } from '@vmsync/imap-mailbox';
import type { SyncRecord } from '@vmsync/store';
import type { CliContext } from '../context.js';
import type { Diagnosis } from '../diagnose-domain.js';
import { needsAdmin, SyncView, type UserSyncView } from '../sync-view.js';
import { classifyUsers, type UserView } from '../users-view.js';

export interface DomainHealth {
  domain: string;
  kind: string;
  /** ok: mailboxes are watched and none fails; failing: some need an admin; unknown: nothing watched yet. */
  health: 'ok' | 'failing' | 'unknown';
  watching: number;
  failing: number;
  /** The last test run from the page (or null). */
  lastTest: Diagnosis | null;
}

export interface AdminUser {
  config: UserView | null;
  sync: UserSyncView | null;
}

export interface AdminData {
  domains: DomainHealth[];
  users: AdminUser[];
  recentSyncs: SyncRecord[];
  needsAdmin: { what: string; code: string; message: string }[];
  /** What could not be read (Redis down, voicemail.conf missing): shown, not fatal. */
  problems: string[];
}

const domainOf = (address: string) => address.slice(address.lastIndexOf('@') + 1).toLowerCase();

/** Everything the page shows, read from the same sources as the CLI. */
export async function readAdminData(
  ctx: CliContext,
  lastTests: ReadonlyMap<string, Diagnosis>,
): Promise<AdminData> {
  const problems: string[] = [];
  const attempt = async <T>(what: string, f: () => Promise<T>, fallback: T): Promise<T> => {
    try {
      return await f();
    } catch (error) {
      problems.push(`${what}: ${(error as Error).message}`);
      return fallback;
    }
  };
  const entries = await attempt(
    'mail domains file',
    async () => ctx.domainsFile().read().domains,
    [],
  );
  const view = await attempt('Redis', async () => new SyncView(await ctx.store()), null);
  const statuses: MailboxStatus[] = view
    ? await attempt('Redis', () => view.statuses.all(), [])
    : [];
  const recentSyncs = view ? await attempt('Redis', () => view.syncs.recent(20), []) : [];
  const confUsers = ctx.env.VMSYNC_VOICEMAIL_CONF
    ? await attempt(
        'voicemail.conf',
        async () => {
          const conf = await loadVoicemailConf(ctx.env.VMSYNC_VOICEMAIL_CONF as string);
          const known = new Set(entries.map((e) => e.domain.toLowerCase()));
          return classifyUsers(conf.users, (a) => known.has(domainOf(a)));
        },
        [] as UserView[],
      )
    : [];
  const configured = confUsers.flatMap((u) => (u.synchronized && u.address ? [u.address] : []));
  const all = view ? await attempt('Redis', () => view.all(configured), []) : [];
  const syncs = new Map(all.map((s) => [s.user, s]));
  const users: AdminUser[] = confUsers.map((c) => ({
    config: c,
    sync: c.address ? (syncs.get(c.address.toLowerCase()) ?? null) : null,
  }));
  const inConf = new Set(confUsers.map((c) => c.address?.toLowerCase()));
  for (const [a, s] of syncs) if (!inConf.has(a)) users.push({ config: null, sync: s });

  const domains = entries.map((e): DomainHealth => {
    const mine = statuses.filter((s) => domainOf(s.account) === e.domain.toLowerCase());
    const failing = mine.filter(needsAdmin).length;
    const watching = mine.filter((s) => s.state === 'watching').length;
    const lastTest = lastTests.get(e.domain.toLowerCase()) ?? null;
    return {
      domain: e.domain,
      kind: e.kind,
      health:
        failing > 0 || lastTest?.ok === false
          ? 'failing'
          : watching > 0 || lastTest?.ok
            ? 'ok'
            : 'unknown',
      watching,
      failing,
      lastTest,
    };
  });
  const needsAdminList = [
    ...statuses.filter(needsAdmin).map((s) => ({
      what: s.account,
      code: s.code ?? s.state,
      message: s.message ?? '',
    })),
    ...[...lastTests.values()]
      .filter((d) => !d.ok && d.problem)
      .map((d) => ({
        what: `domain test ${d.user}`,
        code: d.problem?.code ?? '',
        message: d.problem?.message ?? '',
      })),
  ];
  return {
    domains,
    users,
    recentSyncs,
    needsAdmin: needsAdminList,
    problems: [...new Set(problems)],
  };
}
