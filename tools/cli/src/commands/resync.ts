import { createHash } from 'node:crypto';
import { createPublisher, ensureTopics, type PublishItem } from '@vmsync/bus';
import { type Routed, toCommands } from '@vmsync/rules/commands';
import type { Command } from '../command.js';
import { ExitCode, usageError } from '../exit-codes.js';
import { planPairs } from '../plan.js';
import { type PairView, SyncView } from '../sync-view.js';
import { formatPlans } from './plan.js';

/**
 * `vmsync resync USER`: carries out what `plan` shows, by publishing the commands to the
 * actuators' topics exactly as the rules service would (docs/cli.md says why this path).
 * The commands are "make it so"; their ids derive from the pair and the states they were
 * decided from, so running resync twice on unchanged states sends the same commands and
 * the actuators apply them once. Each command carries the time its states were observed:
 * a change the user made since then wins over it (newer wins).
 */
export const resync: Command = {
  words: ['resync'],
  usage: 'resync ADDRESS',
  summary: 'carry out what `plan` shows (commands go to the actuators through Kafka)',
  async run(ctx, args) {
    const [user] = args.positionals;
    if (!user) throw usageError('resync needs the user: their notification address');
    const u = await new SyncView(await ctx.store()).user(user);
    const plans = planPairs(u.pairs);
    const topics = ctx.topics;
    const commands: Routed[] = u.pairs.flatMap((p, i) => {
      const decisions = plans[i]?.decisions ?? [];
      if (decisions.length === 0 || p.voicemail === null || p.email === null) return [];
      return toCommands(topics, resyncCause(p), decisions, {
        voicemail: p.voicemail.ref,
        email: p.email.ref,
      });
    });
    if (commands.length > 0) {
      ctx.out.progress(`publishing ${commands.length} command(s)`);
      const kafka = ctx.kafka();
      const byTopic = new Map<string, PublishItem[]>();
      for (const c of commands) byTopic.set(c.topic, [...(byTopic.get(c.topic) ?? []), c]);
      await ensureTopics(
        kafka,
        [...byTopic.keys()].map((topic) => ({ topic, partitions: ctx.env.VMSYNC_PARTITIONS })),
      );
      const publisher = createPublisher(kafka);
      await publisher.connect();
      try {
        for (const [topic, items] of byTopic) await publisher.publishBatch(topic, items);
      } finally {
        await publisher.disconnect();
      }
    }
    const actions = commands.length;
    ctx.out.result(
      {
        user: u.user,
        published: commands.map((c) => ({
          topic: c.topic,
          id: c.envelope.id,
          type: c.envelope.type,
        })),
        pairs: plans,
      },
      () =>
        `${formatPlans(u.user, plans, actions)}\n${actions === 0 ? 'Nothing to send.' : `${actions} command(s) sent; \`vmsync status ${u.user}\` shows them applied.`}`,
    );
    return ExitCode.ok;
  },
};

/** The cause a resync's commands continue: named by the pair and the states they came from. */
function resyncCause(p: PairView) {
  const observedAt = Math.max(p.voicemail?.observedAt ?? 0, p.email?.observedAt ?? 0);
  const digest = createHash('sha256')
    .update(JSON.stringify([p.pair, p.voicemail?.state, p.email?.state, observedAt]))
    .digest('hex')
    .slice(0, 24);
  const id = `resync-${digest}`;
  return { id, observedAt, correlationId: id };
}
