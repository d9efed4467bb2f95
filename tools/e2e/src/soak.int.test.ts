/**
 * Soak (bounded): random user actions on both sides of many pairs at a steady rate, then
 * quiet. At the end every pair agrees with the tables, nothing was deleted that no user
 * deleted, and vmsync's commands stayed within a small multiple of the users' actions.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Pair, World } from './world.js';

const SECONDS = Number(process.env.VMSYNC_SOAK_SECONDS ?? 90);
const ACTIONS_PER_SECOND = 4;
const world = new World('soak', 36, 2); // user36: WAV attached; user37: text only

interface Tracked extends Pair {
  kind: 'wav' | 'text';
  userDeleted: boolean;
  /** Text pairs sync voicemail -> email only: when the user last did what. */
  heardAt: number;
  deletedAt: number;
  mailAt: number;
}

beforeAll(() => world.start(), 180_000);
afterAll(() => world.stop());

/** A seeded generator, so a failure can be replayed with VMSYNC_SOAK_SEED. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

// In the default suite. It found an email restored from Trash whose voicemail stayed
// deleted (seed 82024): the user restored it before the watcher saw vmsync's move, so the
// look saw "no change" — now caught by the actuator's applied intents (missedChange).
describe(`soak: ${ACTIONS_PER_SECOND} user actions/s for ${SECONDS} s`, () => {
  it(
    'settles in agreement, deletes nothing no user deleted, and does not ping-pong',
    async () => {
      const seed = Number(process.env.VMSYNC_SOAK_SEED ?? Date.now() % 100_000);
      const rnd = random(seed);
      const pairs: Tracked[] = [];
      for (let i = 0; i < 10; i++)
        pairs.push({
          ...(await world.pair(0)),
          kind: 'wav',
          userDeleted: false,
          heardAt: 0,
          deletedAt: 0,
          mailAt: 0,
        });
      for (let i = 0; i < 4; i++)
        pairs.push({
          ...(await world.pair(1)),
          kind: 'text',
          userDeleted: false,
          heardAt: 0,
          deletedAt: 0,
          mailAt: 0,
        });
      const commandsBefore = world.actuatorLines().length;

      let actions = 0;
      const deadline = Date.now() + SECONDS * 1000;
      while (Date.now() < deadline) {
        const p = pairs[Math.floor(rnd() * pairs.length)] as Tracked;
        const r = rnd();
        const phone = ['listen', 'unheard', 'delete', 'undelete'] as const;
        const mail = ['read', 'unread', 'trash', 'restore'] as const;
        try {
          if (r < 0.5) {
            const a = phone[Math.floor(rnd() * phone.length)] ?? 'listen';
            if (!(await p.phone.act(a, p.msgId))) continue;
            if (a === 'delete') {
              p.userDeleted = true;
              p.deletedAt = Date.now();
            }
            if (a === 'listen') p.heardAt = Date.now();
          } else {
            const a = mail[Math.floor(rnd() * mail.length)] ?? 'read';
            if (a === 'trash') p.userDeleted = true;
            if (a === 'read' || a === 'unread') await p.mail.markRead(p.messageId, a === 'read');
            else await p.mail.moveTo(p.messageId, a === 'trash' ? 'Trash' : 'INBOX');
            p.mailAt = Date.now();
          }
          actions++;
        } catch {
          // the action did not apply (e.g. undelete of a message not deleted): no action
        }
        await new Promise((r) => setTimeout(r, 1000 / ACTIONS_PER_SECOND));
      }

      // quiet: wait until every pair agrees (or report those that do not)
      const agrees = async (p: Tracked) => {
        const [folder, email] = [await world.voicemail(p), await world.email(p)];
        if (email === undefined) return false;
        // gone from every folder = purged: Asterisk trims Deleted at `backupdeleted` (10
        // here), and a soak deletes and undeletes far more than that
        const vmDeleted = folder === 'deleted' || folder === null;
        const mailDeleted = email.folder === 'Trash';
        const heard = folder === 'saved';
        if (p.kind === 'text') {
          // voicemail -> email only (§3.2): what the user did to the email since stands
          if (vmDeleted) return mailDeleted || p.mailAt > p.deletedAt;
          return heard && !mailDeleted && p.mailAt < p.heardAt ? email.seen : true;
        }
        // Purged by Asterisk, and the user brought the email back since: nothing may delete
        // it again for a voicemail that is nowhere (the rules' safety fuse, "vanished").
        if (folder === null && !mailDeleted) return p.mailAt > p.deletedAt;
        if (vmDeleted || mailDeleted) return vmDeleted && mailDeleted;
        return heard === email.seen;
      };
      const disagreeing = async () => {
        const out: string[] = [];
        for (const p of pairs) {
          if (await agrees(p)) continue;
          const email = JSON.stringify(await world.email(p));
          out.push(`${p.kind} ${p.msgId}: ${await world.voicemail(p)} / ${email}`);
          const id = p.messageId.slice(1, -1);
          for (const service of world.services) {
            for (const line of service.lines) {
              if (line.includes(p.msgId) || line.includes(id)) {
                out.push(`  [${service.service}] ${line.slice(0, 500)}`);
              }
            }
          }
        }
        return out;
      };
      await world
        .until(
          'every pair in agreement',
          async () => ((await disagreeing()).length === 0 ? true : undefined),
          30_000,
        )
        .catch(async () => {
          throw new Error(
            `seed ${seed}: pairs not in agreement:\n${(await disagreeing()).join('\n')}`,
          );
        });

      for (const p of pairs.filter((x) => !x.userDeleted)) {
        expect(await world.voicemail(p), `seed ${seed}: ${p.msgId}`).not.toBe('deleted');
        expect((await world.email(p))?.folder, `seed ${seed}: ${p.messageId}`).not.toBe('Trash');
      }
      const commands = world.actuatorLines().length - commandsBefore;
      console.log(
        `soak seed ${seed}: ${actions} user actions, ${commands} commands carried out, ${pairs.length} pairs`,
      );
      expect(commands).toBeLessThanOrEqual(3 * actions + pairs.length);
    },
    (SECONDS + 240) * 1000,
  );
});
