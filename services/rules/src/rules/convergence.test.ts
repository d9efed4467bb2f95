import { emailDeleted, voicemailDeleted, voicemailHeard } from '@vmsync/events';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { emailCaseNames, emailCases, voicemailCaseNames, voicemailCases } from './cases.js';
import {
  type EmailAct,
  PairWorld,
  type Side,
  type UserAction,
  type VoicemailAct,
} from './convergence-model.js';
import { reconcile } from './reconcile.js';

type Step = { do: 'user'; action: UserAction } | { do: 'deliver' | 'apply'; side: Side };

const voicemailActs: VoicemailAct[] = ['listen', 'mark-unheard', 'delete', 'undelete', 'purge'];
const emailActs: EmailAct[] = [
  'read',
  'unread',
  'trash',
  'restore',
  'archive',
  'to-inbox',
  'purge',
];

const userStep = fc.oneof(
  fc
    .constantFrom(...voicemailActs)
    .map((act): Step => ({ do: 'user', action: { side: 'voicemail', act } })),
  fc
    .constantFrom(...emailActs)
    .map((act): Step => ({ do: 'user', action: { side: 'email', act } })),
);
const systemStep = fc.constantFrom<Step>(
  { do: 'deliver', side: 'voicemail' },
  { do: 'deliver', side: 'email' },
  { do: 'apply', side: 'voicemail' },
  { do: 'apply', side: 'email' },
);

/** A linked pair in any state, then users and the system taking turns, then a drain in a random order. */
const scenario = fc.record({
  kind: fc.constantFrom('text' as const, 'wav' as const),
  voicemail: fc.constantFrom(...voicemailCaseNames),
  email: fc.constantFrom(...emailCaseNames),
  steps: fc.array(
    fc.oneof({ arbitrary: userStep, weight: 1 }, { arbitrary: systemStep, weight: 2 }),
    {
      maxLength: 40,
    },
  ),
  drainOrder: fc.array(fc.nat(3), { minLength: 1, maxLength: 50 }),
});

type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

const drainCap = 1000;

/**
 * The test command checks the same 50 000 scenarios every time (a failure on a clean clone
 * is a regression, not a roll of the dice); VMSYNC_PROPERTY_SEED and VMSYNC_PROPERTY_RUNS
 * explore further, e.g. `VMSYNC_PROPERTY_SEED=random VMSYNC_PROPERTY_RUNS=2000000`.
 */
const seedSetting = process.env.VMSYNC_PROPERTY_SEED ?? '20261129';
const propertyRuns = Number(process.env.VMSYNC_PROPERTY_RUNS ?? 50_000);
const propertySeed = seedSetting === 'random' ? undefined : Number(seedSetting);

function run(s: Scenario, recogniseEchoes = true): { world: PairWorld; drainSteps: number } {
  const world = new PairWorld(
    s.kind,
    voicemailCases[s.voicemail],
    emailCases[s.email],
    recogniseEchoes,
  );
  for (const step of s.steps) {
    if (step.do === 'user') world.user(step.action);
    else world[step.do](step.side);
  }
  const queues = [
    () => world.deliver('voicemail'),
    () => world.deliver('email'),
    () => world.apply('voicemail'),
    () => world.apply('email'),
  ];
  let drainSteps = 0;
  while (world.busy && drainSteps < drainCap) {
    const pick = s.drainOrder[drainSteps % s.drainOrder.length] ?? 0;
    queues[(pick + Math.floor(drainSteps / s.drainOrder.length)) % 4]?.();
    drainSteps += 1;
  }
  return { world, drainSteps };
}

/**
 * The disagreements DESIGN.md itself leaves in place (docs/sync-rules.md, "What is left
 * to the next start-up"), each recognised by what the users did; null when the pair must
 * agree.
 */
function allowedDisagreement(world: PairWorld): string | null {
  const { voicemail, email } = world.state;
  const u = world.userStamps;
  const latest = (side: Side) => Math.max(u[side].deletion, u[side].seen);
  if (world.kind === 'text') {
    if (
      voicemailDeleted(voicemail) &&
      !emailDeleted(email) &&
      u.email.deletion > u.voicemail.deletion
    ) {
      return 'text: the email was taken out of Trash after the voicemail was deleted';
    }
    if (voicemailHeard(voicemail) && !email.read && latest('email') > latest('voicemail')) {
      return 'text: the email was made unread after the voicemail was heard';
    }
  }
  const purged: Side | null =
    voicemail.folder === 'purged' ? 'voicemail' : email.location === 'purged' ? 'email' : null;
  const other: Side = purged === 'voicemail' ? 'email' : 'voicemail';
  if (purged && u[other].deletion > u[purged].deletion) {
    return `${other} restored by a user just after its ${purged} was purged`;
  }
  return null;
}

/** Newer wins: what the last user did is what stays, unless the partner is purged. */
function lastActionStands(world: PairWorld): boolean {
  const last = world.history.at(-1);
  if (!last) return true;
  const now = world.state[last.action.side];
  const act = last.action.act;
  if (act === 'archive' || act === 'to-inbox') return true;
  const seen = (s: typeof now) => ('folder' in s ? s.heard : s.read);
  if (act === 'listen' || act === 'mark-unheard' || act === 'read' || act === 'unread') {
    return seen(now) === seen(last.after);
  }
  const deleted = (s: typeof now) => ('folder' in s ? voicemailDeleted(s) : emailDeleted(s));
  const partnerPurged =
    world.state.voicemail.folder === 'purged' || world.state.email.location === 'purged';
  return deleted(now) === deleted(last.after) || partnerPurged;
}

describe('convergence', () => {
  it(
    'settles in agreement, deletes only after a user deleted, with few commands, and ends',
    () => {
      fc.assert(
        fc.property(scenario, (s) => {
          const { world, drainSteps } = run(s);
          expect(drainSteps).toBeLessThan(drainCap);
          expect(world.busy).toBe(false);
          expect(world.unwantedDeletions).toEqual([]);
          expect(world.commandsSent).toBeLessThanOrEqual(3 * (world.userActions + 1));
          expect(lastActionStands(world), 'the last user action stands').toBe(true);
          const pending = reconcile(world.kind, world.state.voicemail, world.state.email);
          if (pending.length > 0) {
            const state = JSON.stringify({ final: world.state, pending });
            expect(
              allowedDisagreement(world),
              `disagreement nobody asked for: ${state}`,
            ).not.toBeNull();
          }
        }),
        { numRuns: propertyRuns, ...(propertySeed === undefined ? {} : { seed: propertySeed }) },
      );
    },
    60_000 + propertyRuns,
  );

  it('keeps a voicemail whose email was trashed and restored before the rules caught up', () => {
    // Comparing with the other side's last known state would drop ensure-saved here (the
    // voicemail was still known as new while ensure-deleted was in flight) and leave the
    // voicemail deleted: the reason the rules decide from the change alone.
    const { world } = run({
      kind: 'wav',
      voicemail: 'new, unheard',
      email: 'Inbox, unread',
      steps: [
        { do: 'user', action: { side: 'email', act: 'trash' } },
        { do: 'user', action: { side: 'email', act: 'restore' } },
      ],
      drainOrder: [0],
    });
    expect(world.state).toEqual({
      voicemail: { folder: 'saved', heard: false },
      email: { location: 'inbox', read: false },
    });
  });

  it('lets a deletion reach an email the user just read (newer wins per part, not per message)', () => {
    const { world } = run({
      kind: 'text',
      voicemail: 'deleted, unheard',
      email: 'Inbox, unread',
      steps: [{ do: 'user', action: { side: 'email', act: 'read' } }],
      drainOrder: [0],
    });
    expect(world.state.email).toEqual({ location: 'trash', read: true });
  });

  it('carries an unread made in Trash to the voicemail once vmsync brings the email back', () => {
    // Soak, seed 29902: the phone user undeletes a heard voicemail; just after, the mail
    // user marks its email unread in Trash. The unread (newer) makes the mail-actuator skip
    // the undelete's "mark read"; vmsync's move brings the email back unread. The pair must
    // end unread and unheard, not heard beside an unread email.
    const { world } = run({
      kind: 'wav',
      voicemail: 'deleted, heard',
      email: 'Trash, read',
      steps: [
        { do: 'user', action: { side: 'voicemail', act: 'undelete' } },
        { do: 'deliver', side: 'voicemail' },
        { do: 'user', action: { side: 'email', act: 'unread' } },
      ],
      drainOrder: [0],
    });
    expect(world.state).toEqual({
      voicemail: { folder: 'saved', heard: false },
      email: { location: 'inbox', read: false },
    });
  });

  it('carries an unread made in Trash even when the voicemail is heard only after the email is back', () => {
    // CI, seed -2073562947: the phone user undeletes an unheard voicemail whose email vmsync
    // has just put in Trash; the mail user reads the email there, then marks it unread. The
    // read's "mark heard" reaches the voicemail after vmsync's move has brought the email
    // back, so the echo of that move sees an unheard voicemail: the unread must still win.
    const { world } = run({
      kind: 'wav',
      voicemail: 'deleted, unheard',
      email: 'Inbox, unread',
      steps: [
        { do: 'apply', side: 'email' },
        { do: 'user', action: { side: 'voicemail', act: 'undelete' } },
        { do: 'user', action: { side: 'email', act: 'read' } },
        { do: 'user', action: { side: 'email', act: 'unread' } },
      ],
      drainOrder: [3, 0, 0, 0, 2],
    });
    expect(world.state).toEqual({
      voicemail: { folder: 'new', heard: false },
      email: { location: 'inbox', read: false },
    });
  });

  it('lets the undelete mark the email read when the unread in Trash was older', () => {
    const { world } = run({
      kind: 'wav',
      voicemail: 'deleted, heard',
      email: 'Trash, read',
      steps: [
        { do: 'user', action: { side: 'email', act: 'unread' } },
        { do: 'deliver', side: 'email' },
        { do: 'user', action: { side: 'voicemail', act: 'undelete' } },
      ],
      drainOrder: [0],
    });
    expect(world.state).toEqual({
      voicemail: { folder: 'saved', heard: true },
      email: { location: 'inbox', read: true },
    });
  });

  it('needs echoes recognised: fed back as changes, a restore ping-pongs forever', () => {
    const s: Scenario = {
      kind: 'wav',
      voicemail: 'new, unheard',
      email: 'Trash, read',
      steps: [{ do: 'user', action: { side: 'email', act: 'restore' } }],
      drainOrder: [0],
    };
    expect(run(s, false).world.busy).toBe(true);
    expect(run(s, true).world.busy).toBe(false);
  });
});
