import type { Intent } from './intents.js';

/**
 * Pure: the state an actuator left that a complete look, begun after the actuator
 * finished, no longer finds. The watcher can miss that short-lived state entirely — the
 * user undid it before the next look (vmsync moves an email to Trash, the user restores
 * it within Dovecot's IDLE delay) — and would then see "no change" and never sync the
 * user's restore. Per field, the latest applied intent is what vmsync last set; when the
 * look finds another value there, a user changed it since. Returns what vmsync left
 * (`known` with those values: the `before` of the user's change), or null when every
 * field vmsync set is still as it set it (then the ordinary echo rules apply).
 */
export function missedChange<S extends object>(
  applied: readonly Intent<S>[],
  known: S,
  current: S,
): S | null {
  const latest = new Map<keyof S, Intent<S>>();
  for (const intent of applied) {
    for (const field of Object.keys(intent.expect) as (keyof S)[]) {
      const seen = latest.get(field);
      if (seen === undefined || (seen.appliedAt ?? 0) < (intent.appliedAt ?? 0)) {
        latest.set(field, intent);
      }
    }
  }
  let left = known;
  let undone = false;
  for (const [field, intent] of latest) {
    const value = intent.expect[field] as S[keyof S];
    left = { ...left, [field]: value };
    if (current[field] !== value) undone = true;
  }
  return undone ? left : null;
}
