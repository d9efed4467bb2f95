import { stat } from 'node:fs/promises';
import { connect } from 'node:net';
import { loadVoicemailConf, type VoicemailConf } from '@vmsync/asterisk-spool';
import type { MailDomains } from '@vmsync/imap-mailbox';
import { GoogleServiceAccountCredential } from '@vmsync/mail-auth';
import type { Command } from '../command.js';
import type { CliContext } from '../context.js';
import { diagnoseDomain } from '../diagnose-domain.js';
import { ExitCode } from '../exit-codes.js';

export interface Check {
  check: string;
  level: 'ok' | 'warn' | 'fail';
  detail: string;
}

/**
 * `vmsync config check`: the whole configuration (each variable, the domains file and its
 * keys, voicemail.conf, the spool) and whether Kafka, Redis and each domain answer.
 * Exit 1 when any check fails; warnings alone exit 0.
 */
export const configCheck: Command = {
  words: ['config', 'check'],
  usage: 'config check',
  summary: 'validate the configuration and reach Kafka, Redis, the spool and each domain',
  async run(ctx) {
    const checks: Check[] = [];
    const add = (check: string, level: Check['level'], detail: string) => {
      checks.push({ check, level, detail });
      ctx.out.progress(`${check}: ${level}`);
    };
    const attempt = async (check: string, f: () => Promise<string>) => {
      try {
        add(check, 'ok', await f());
      } catch (error) {
        add(check, 'fail', (error as Error).message);
      }
    };
    const env = ctx.env;
    for (const [name, what] of [
      ['VMSYNC_KAFKA_BROKERS', 'the Kafka brokers'],
      ['VMSYNC_REDIS_URL', "the deployment's Redis"],
      ['VMSYNC_MAIL_DOMAINS_FILE', 'the mail domains file'],
      ['VMSYNC_SPOOL_DIR', "Asterisk's voicemail spool"],
      ['VMSYNC_VOICEMAIL_CONF', "Asterisk's voicemail.conf"],
    ] as const) {
      if (!env[name]) add(name, 'fail', `not set: it names ${what}`);
    }
    if (env.VMSYNC_REDIS_URL) {
      await attempt('redis', async () => {
        const store = await ctx.store();
        await store.redis.ping();
        return `reached; keys under "${env.VMSYNC_DEPLOYMENT}:"`;
      });
    }
    if (env.VMSYNC_KAFKA_BROKERS) {
      await attempt('kafka', async () => {
        const admin = ctx.kafka().admin();
        await admin.connect();
        try {
          const cluster = await admin.describeCluster();
          return `reached ${env.VMSYNC_KAFKA_BROKERS}: ${cluster.brokers.length} broker(s)`;
        } finally {
          await admin.disconnect();
        }
      });
    }
    if (env.VMSYNC_SPOOL_DIR) {
      const dir = env.VMSYNC_SPOOL_DIR;
      await attempt('spool', async () => {
        const s = await stat(dir);
        if (!s.isDirectory()) throw new Error(`${dir} is not a directory`);
        return `${dir} is a directory`;
      });
    }
    let conf: VoicemailConf | undefined;
    if (env.VMSYNC_VOICEMAIL_CONF) {
      const path = env.VMSYNC_VOICEMAIL_CONF;
      await attempt('voicemail.conf', async () => {
        conf = await loadVoicemailConf(path);
        for (const w of conf.warnings)
          add('voicemail.conf', 'warn', `${w.file}:${w.line}: ${w.message}`);
        for (const sender of unlistedSenders(conf, env.VMSYNC_PBX_SENDERS)) {
          add(
            'VMSYNC_PBX_SENDERS',
            'warn',
            `voicemail.conf sends notifications from ${sender}, which VMSYNC_PBX_SENDERS does not list: the rules link unsigned notifications only from listed senders (docs/linking.md).`,
          );
        }
        return `${path}: ${conf.users.length} voicemail boxes`;
      });
    }
    let domains: MailDomains | undefined;
    if (env.VMSYNC_MAIL_DOMAINS_FILE) {
      await attempt('mail domains file', async () => {
        domains = ctx.domainsFile().load();
        return `${env.VMSYNC_MAIL_DOMAINS_FILE}: ${domains.domains.length} domain(s)`;
      });
    }
    if (domains) await checkDomains(ctx, domains, conf, add);
    const failed = checks.filter((c) => c.level === 'fail').length;
    ctx.out.result({ ok: failed === 0, checks }, () =>
      [
        ...checks.map((c) => `${c.level.toUpperCase().padEnd(4)} ${c.check}: ${c.detail}`),
        '',
        failed === 0 ? 'Configuration OK.' : `${failed} check(s) failed.`,
      ].join('\n'),
    );
    return failed === 0 ? ExitCode.ok : ExitCode.problemFound;
  },
};

async function checkDomains(
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
