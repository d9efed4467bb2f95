/**
 * Acceptance: DESIGN.md §3.1 start-up reconciliation after every service was stopped
 * while users changed both sides; and each service SIGKILLed mid-stream and restarted
 * with nothing lost and no wrong or duplicated side effect.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Pair, SERVICES, World } from './world.js';

const world = new World('startup', 33, 2); // user33: WAV attached; user34: text only
const WAV = 0;
const TEXT = 1;

beforeAll(() => world.start(), 180_000);
afterAll(() => world.stop());

describe('start-up reconciliation (§3.1), all services stopped while users acted', () => {
  it('moves every pair towards "more processed", never undeleting or unreading', async () => {
    const p = {
      wavVmDeleted: await world.pair(WAV),
      wavMailDeleted: await world.pair(WAV),
      wavVmHeard: await world.pair(WAV),
      wavMailRead: await world.pair(WAV),
      wavBothDeleted: await world.pair(WAV),
      textVmDeleted: await world.pair(TEXT),
      textVmHeard: await world.pair(TEXT),
      textMailRead: await world.pair(TEXT),
    };
    await world.stopServices();

    await p.wavVmDeleted.phone.act('delete', p.wavVmDeleted.msgId);
    await p.wavMailDeleted.mail.moveTo(p.wavMailDeleted.messageId, 'Trash');
    await p.wavVmHeard.phone.act('listen', p.wavVmHeard.msgId);
    await p.wavMailRead.mail.markRead(p.wavMailRead.messageId);
    await p.wavBothDeleted.phone.act('delete', p.wavBothDeleted.msgId);
    await p.wavBothDeleted.mail.moveTo(p.wavBothDeleted.messageId, 'Trash');
    await p.textVmDeleted.phone.act('delete', p.textVmDeleted.msgId);
    await p.textVmHeard.phone.act('listen', p.textVmHeard.msgId);
    await p.textMailRead.mail.markRead(p.textMailRead.messageId);

    await world.startServices();
    const trash = (seen: boolean) => ({ folder: 'Trash' as const, seen });
    await world.settle(p.wavVmDeleted, { folder: 'deleted', email: trash(false) });
    await world.settle(p.wavMailDeleted, { folder: 'deleted', email: trash(false) });
    await world.settle(p.wavVmHeard, { folder: 'saved', email: { folder: 'INBOX', seen: true } });
    await world.settle(p.wavMailRead, { folder: 'saved', email: { folder: 'INBOX', seen: true } });
    await world.settle(p.wavBothDeleted, { folder: 'deleted', email: trash(false) });
    await world.settle(p.textVmDeleted, { folder: 'deleted', email: trash(false) });
    await world.settle(p.textVmHeard, { folder: 'saved', email: { folder: 'INBOX', seen: true } });
    // text: an email read changes nothing on the voicemail, even at start-up
    await new Promise((r) => setTimeout(r, 1500));
    expect(await world.voicemail(p.textMailRead)).toBe('new');
  }, 120_000);
});

describe('a service killed mid-stream (SIGKILL) and restarted', () => {
  for (const name of SERVICES) {
    it(`${name}: every change still arrives, nothing wrong or doubled`, async () => {
      const pairs: Pair[] = [];
      for (let i = 0; i < 4; i++) pairs.push(await world.pair(WAV));
      const [a, b, c, d] = pairs as [Pair, Pair, Pair, Pair];
      // changes on both sides, with the service killed in the middle of them
      await a.phone.act('listen', a.msgId);
      await b.mail.markRead(b.messageId);
      world.service(name).kill('SIGKILL');
      await c.phone.act('delete', c.msgId);
      await d.mail.moveTo(d.messageId, 'Trash');
      await world.startServices([name]);
      // a mail-actuator killed mid-command leaves its claim on it until it lapses (8 s,
      // command-ledger.ts); a loaded machine adds its own seconds to every step
      const within = 30_000;
      await world.settle(a, { folder: 'saved', email: { folder: 'INBOX', seen: true } }, within);
      await world.settle(b, { folder: 'saved', email: { folder: 'INBOX', seen: true } }, within);
      await world.settle(c, { folder: 'deleted', email: { folder: 'Trash', seen: false } }, within);
      await world.settle(d, { folder: 'deleted', email: { folder: 'Trash', seen: false } }, within);
      // and they stay so: no late duplicate toggles anything back
      await new Promise((r) => setTimeout(r, 1500));
      expect(await world.voicemail(a)).toBe('saved');
      expect((await world.email(d))?.folder).toBe('Trash');
      expect((await world.email(b))?.seen).toBe(true);
    }, 90_000);
  }
});
