/**
 * The operator commands against a real pipeline: the five services as processes on the
 * local stack (tools/e2e's World), a voicemail and its email linked by vmsync.
 */
import { World } from '@vmsync/e2e/world';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliCaptured } from './testing.js';

const world = new World('cli', 28, 2); // user28: WAV attached; user29: text only
const USER = 'user28@example.test';

beforeAll(() => world.start(), 180_000);
afterAll(() => world.stop());

const cli = (...argv: string[]) => runCliCaptured(argv, { ...process.env, ...world.env });

interface StatusJson {
  pairs: {
    pair: { voicemail: string; email: string; kind: string };
    voicemail: { state: { folder: string; heard: boolean } } | null;
    email: { state: { location: string; read: boolean } } | null;
  }[];
  mailbox: { state: string } | null;
  lastSync: { action: string; side: string; latencyMs: number } | null;
}
interface PlanJson {
  actions: number;
  pairs: { decisions: { side: string; action: string }[] }[];
}

describe('status, plan and resync on a running pipeline', () => {
  let pair: Awaited<ReturnType<World['pair']>>;

  it('status shows the linked pair with both sides, and the watched mailbox', async () => {
    pair = await world.pair(0);
    const run = await world.until('the mailbox watched', async () => {
      const r = await cli('status', USER, '--json');
      return (r.json as StatusJson).mailbox?.state === 'watching' ? r : undefined;
    });
    expect(run.code).toBe(0);
    const s = run.json as StatusJson;
    expect(s.pairs).toHaveLength(1);
    expect(s.pairs[0]).toMatchObject({
      pair: { kind: 'wav' },
      voicemail: { state: { folder: 'new', heard: false } },
      email: { state: { location: 'inbox', read: false } },
    });
    expect(s.pairs[0]?.pair.voicemail).toContain(pair.msgId);
    const text = await cli('status', USER);
    expect(text.stdout).toContain('mailbox: watching');
    expect(text.stdout).toContain('linked pairs: 1');
    const plan = await cli('plan', USER, '--json');
    expect((plan.json as PlanJson).actions).toBe(0);
  });

  it('plan shows what a reconciliation would do without doing it; resync does it', async () => {
    // The mail-actuator is down: the user listens on the phone, the email stays unread.
    await world.service('mail-actuator').stop();
    await pair.phone.act('listen', pair.msgId);
    await world.until('the rules to record the voicemail heard', async () => {
      const s = (await cli('status', USER, '--json')).json as StatusJson;
      return s.pairs[0]?.voicemail?.state.heard ? true : undefined;
    });
    const plan = await cli('plan', USER, '--json');
    expect(plan.code).toBe(0);
    expect((plan.json as PlanJson).pairs[0]?.decisions).toEqual([
      { side: 'email', action: 'ensure-read' },
    ]);
    const human = await cli('plan', USER);
    expect(human.stdout).toMatch(
      /saved, heard\) <-> .* \(inbox, unread\) \[wav\]: ensure-read on the email/,
    );
    expect((await world.email(pair))?.seen).toBe(false); // plan changed nothing

    const resync = await cli('resync', USER, '--json');
    expect(resync.code).toBe(0);
    const published = (resync.json as { published: { id: string; type: string }[] }).published;
    expect(published.map((p) => p.type)).toEqual(['mail-command']);
    const commandId = published[0]?.id;

    await world.startServices(['mail-actuator']);
    await world.settle(pair, { folder: 'saved', email: { folder: 'INBOX', seen: true } });
    const outcome = await world.until('the resync command carried out', () =>
      world.actuatorLines().find((l) => l.commandId === commandId),
    );
    expect(['applied', 'already']).toContain(outcome.outcome);
    // Once the email's change is back through the watcher and the rules, nothing is left to do.
    await world.until('the plan to be empty', async () =>
      ((await cli('plan', USER, '--json')).json as PlanJson).actions === 0 ? true : undefined,
    );
  });

  it('status shows the last sync with its latency, and every user in one line', async () => {
    const s = await world.until('the last sync', async () => {
      const r = (await cli('status', USER, '--json')).json as StatusJson;
      return r.lastSync ? r : undefined;
    });
    expect(s.lastSync).toMatchObject({ side: 'email', action: 'ensure-read' });
    expect(s.lastSync?.latencyMs).toBeGreaterThanOrEqual(0);
    const all = await cli('status');
    expect(all.code).toBe(0);
    expect(all.stdout).toMatch(new RegExp(`${USER}\\s+1\\s`));
    expect(all.stdout).toContain('ensure-read');
  });
});
