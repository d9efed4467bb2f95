import type { Command } from '../command.js';
import { ExitCode, usageError } from '../exit-codes.js';
import { describeDecision, type PairPlan, planPairs } from '../plan.js';
import { SyncView } from '../sync-view.js';

/** `vmsync plan USER`: what a reconciliation would do now, without doing it. */
export const plan: Command = {
  words: ['plan'],
  usage: 'plan ADDRESS',
  summary: 'what a reconciliation of a user would do now (nothing is changed)',
  async run(ctx, args) {
    const [user] = args.positionals;
    if (!user) throw usageError('plan needs the user: their notification address');
    const u = await new SyncView(await ctx.store()).user(user);
    const plans = planPairs(u.pairs);
    const actions = plans.reduce((n, p) => n + p.decisions.length, 0);
    ctx.out.result({ user: u.user, actions, pairs: plans, waiting: u.waiting }, () =>
      formatPlans(u.user, plans, actions),
    );
    return ExitCode.ok;
  },
};

export function formatPlans(user: string, plans: readonly PairPlan[], actions: number): string {
  if (plans.length === 0) return `${user}: no linked pair, nothing to reconcile.`;
  const lines = plans.map((p) => {
    const what =
      p.unknown ??
      (p.decisions.length === 0 ? 'in agreement' : p.decisions.map(describeDecision).join(', '));
    return `${p.voicemail} (${p.voicemailState}) <-> ${p.email} (${p.emailState}) [${p.kind}]: ${what}`;
  });
  lines.push(`\n${actions} action(s) over ${plans.length} pair(s) for ${user}.`);
  return lines.join('\n');
}
