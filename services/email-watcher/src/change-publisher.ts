import { randomUUID } from 'node:crypto';
import type { Publisher, PublishItem } from '@vmsync/bus';
import {
  type EmailState,
  type EnvelopeOf,
  emailChangedParts,
  NEVER,
  type TopicNames,
  touch,
  userKey,
} from '@vmsync/events';
import { emailKey, type Look, type ObservedEmail } from '@vmsync/imap-mailbox';
import {
  type AppliedIntents,
  type IntentLog,
  missedChange,
  type Observation,
  type ObservationLog,
} from '@vmsync/store';
import { Attr, mailboxHash, type Span, startObservation } from '@vmsync/telemetry';
import { type DetectedChange, detectChanges, stateOf } from './change-detector.js';

/**
 * Processes' deployment clocks agree to within their Redis round trips; an intent applied
 * this close to a look's start is judged by the next look, not this one.
 */
const CLOCK_MARGIN_MS = 25;

export interface PublishResult {
  published: number;
  /** An actuator finished too close to this look for it to judge: look again soon. */
  recheckSoon: boolean;
}

export interface ChangePublisherDeps {
  publisher: Publisher;
  topics: TopicNames;
  observations: ObservationLog<ObservedEmail>;
  intents: IntentLog<EmailState>;
  /** The deployment clock (Redis TIME). */
  clock: { now(): number };
  onPublished?(account: string, change: DetectedChange, echoOf: string | null): void;
  /** The shard (mailboxes partition) an account is watched in, for traces. */
  shardOf?(account: string): number | undefined;
}

/**
 * Turns a look into `email-changed` events: recognises echoes of the mail-actuator's own
 * changes by its recorded intents (docs/echoes-and-ordering.md), stamps observation times
 * from the deployment clock, publishes, and only then records the observation (a crash in
 * between republishes, which consumers tolerate; the other order could lose a change).
 */
export class ChangePublisher {
  constructor(private readonly d: ChangePublisherDeps) {}

  /**
   * The actuator's changes a look starting now must find (missedChange): asked before the
   * look, which must then read even the folders IDLE did not report (`fresh`).
   */
  appliedBefore(account: string, lookStartsAt: number): Promise<AppliedIntents<EmailState>> {
    return this.d.intents.appliedBefore(account, lookStartsAt - CLOCK_MARGIN_MS);
  }

  /**
   * Publishes what changed; updates `known` (the account's observations) in place.
   * `applied`: appliedBefore() taken just before the look.
   */
  async publish(
    account: string,
    look: Look,
    known: Map<string, Observation<ObservedEmail>>,
    startup: boolean,
    applied: AppliedIntents<EmailState>,
  ): Promise<PublishResult> {
    const missed = new Map<string, EmailState>();
    const accounted: Array<[string, string[]]> = [];
    for (const [emailId, found] of look.emails) {
      const key = emailKey(account, emailId);
      const intents = applied.decided.get(key);
      const prev = known.get(emailId);
      if (intents === undefined || prev === undefined) continue;
      accounted.push([key, intents.map((i) => i.commandId)]);
      const left = missedChange(intents, stateOf(prev.state), stateOf(found.state));
      if (left !== null) missed.set(emailId, left);
    }
    const changes = detectChanges(known, look, startup, missed);
    const settle = async () => {
      for (const [key, ids] of accounted) await this.d.intents.consume(key, ids);
    };
    if (changes.length === 0) {
      await settle();
      return { published: 0, recheckSoon: applied.undecided };
    }
    const items: PublishItem[] = [];
    const spans: Span[] = [];
    const next: Array<[string, Observation<ObservedEmail>, DetectedChange, string | null]> = [];
    for (const change of changes) {
      const prev = known.get(change.emailId);
      const observedAt = this.d.clock.now();
      const echoOf =
        change.before === null || missed.has(change.emailId)
          ? null
          : await this.d.intents.matchEcho(
              emailKey(account, change.emailId),
              change.before,
              change.after,
            );
      const id = randomUUID();
      const envelope: EnvelopeOf<'email-changed'> = {
        id,
        type: 'email-changed',
        version: 1,
        observedAt,
        correlationId: id,
        causationId: null,
        payload: {
          ref: { account, emailId: change.emailId },
          phase: change.phase,
          before: change.before,
          after: change.after,
          notification: change.notification,
          echoOf,
        },
      };
      // Each change starts its own trace: the sync it causes is one trace to the actuator.
      const shard = this.d.shardOf?.(account);
      const observation = startObservation('email-watcher observe', {
        [Attr.direction]: 'email-to-voicemail',
        [Attr.phase]: change.phase,
        [Attr.echo]: echoOf !== null,
        [Attr.mailbox]: mailboxHash(account),
        ...(shard === undefined ? {} : { [Attr.shard]: shard }),
      });
      spans.push(observation.span);
      if (observation.trace) envelope.trace = observation.trace;
      items.push({ key: userKey(account), envelope });
      next.push([
        change.emailId,
        {
          state: { ...change.after, notification: change.notification },
          observedAt,
          // First sight is nobody's change; an echo is vmsync's, not the user's (newer wins,
          // per part: deletion and read).
          userChangedAt:
            echoOf !== null || change.before === null
              ? (prev?.userChangedAt ?? NEVER)
              : touch(
                  prev?.userChangedAt ?? NEVER,
                  emailChangedParts(change.before, change.after),
                  observedAt,
                ),
        },
        change,
        echoOf,
      ]);
    }
    try {
      await this.d.publisher.publishBatch(this.d.topics.emailChanged, items);
    } finally {
      for (const span of spans) span.end();
    }
    await this.d.observations.putMany(
      account,
      next.map(([emailId, observation]) => [emailId, observation] as const),
    );
    for (const [emailId, observation, change, echoOf] of next) {
      known.set(emailId, observation);
      this.d.onPublished?.(account, change, echoOf);
    }
    await settle();
    return { published: changes.length, recheckSoon: applied.undecided };
  }
}
