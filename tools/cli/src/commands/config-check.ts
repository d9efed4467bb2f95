import { stat } from 'node:fs/promises';
import { loadVoicemailConf, type VoicemailConf } from '@vmsync/asterisk-spool';
import type { MailDomains } from '@vmsync/imap-mailbox';
import type { Command } from '../command.js';
import { type Check, checkDomains, unlistedSenders } from '../config-checks.js';
import { ExitCode } from '../exit-codes.js';

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
