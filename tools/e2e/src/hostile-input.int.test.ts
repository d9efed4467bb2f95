/**
 * Hostile input against the running pipeline (issue 8): forged notifications never link
 * or change a voicemail; malformed MIME delivered into a real Dovecot mailbox costs
 * bounded time and memory and never crashes the email-watcher; odd spool contents are
 * refused with a clear log and delete nothing.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildNotification } from '@vmsync/pbx-sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliver, hostileMime } from './hostile.js';
import { World } from './world.js';

const world = new World('hostile', 21, 2); // user21: WAV attached; user22: text only
const WAV = 0;
const read = { folder: 'INBOX' as const, seen: true };

beforeAll(() => world.start(), 180_000);
afterAll(() => world.stop());

describe('forged notifications (DESIGN.md §4)', () => {
  it('copied headers, wrong sender, replayed Message-ID, bad or missing signature: nothing links or changes', async () => {
    const phone = world.phone(WAV);
    const mail = world.mail(WAV);
    const { user } = phone;
    const secret = (await readFile(world.ctx.refSecretFile, 'utf8')).trim();
    const evil = 'asterisk@evil.example';
    // a voicemail whose notification has not come yet: what a forger would aim at
    const victim = (
      await phone.voicemail({ caller: 'Test', callerNum: '5550100', signed: false, notify: false })
    ).message;
    const base = {
      message: victim,
      user: { email: user.email, fullname: user.email, attach: true },
      serverEmail: world.ctx.serverEmail,
    };
    const other = world.ctx.users[1]?.email ?? '';
    const forged = {
      'wrong sender, Asterisk headers': await buildNotification({ ...base, serverEmail: evil }),
      'signed with a guessed secret': await buildNotification({
        ...base,
        serverEmail: evil,
        ref: { server: 'pbx1', secret: 'guessed' },
      }),
      'signature issued for another mailbox, copied in': await buildNotification({
        ...base,
        serverEmail: evil,
        user: { ...base.user, email: other },
        ref: { server: 'pbx1', secret },
      }),
    };
    const unsignedRef = `X-Vmsync-Ref: v1;server=pbx1;mailbox=${user.mailbox}@${user.context};msgid=${victim.msgId};to=${user.email}`;
    const missingSig = forged['wrong sender, Asterisk headers'].raw
      .replace(
        /^Message-ID: <[^>]+>/m,
        `Message-ID: <nosig-${randomBytes(4).toString('hex')}@evil.example>`,
      )
      .replace('MIME-Version: 1.0', `${unsignedRef}\r\nMIME-Version: 1.0`);
    const ids: string[] = [];
    for (const n of Object.values(forged)) {
      await deliver(world.ctx, user.email, n.raw);
      ids.push(n.messageId);
    }
    await deliver(world.ctx, user.email, missingSig);
    ids.push(/^Message-ID: (<[^>]+>)/m.exec(missingSig)?.[1] ?? '');

    // a genuine signed notification, then a stranger's replay of it (same Message-ID and
    // X-Vmsync-Ref, another sender, no audio)
    const genuine = (await phone.voicemail({
      caller: 'Real',
      callerNum: '5550111',
      signed: true,
    })) as {
      message: typeof victim;
      messageId: string;
    };
    await world.linked(genuine.message.msgId);
    const genuineRaw = await buildNotification({
      ...base,
      message: genuine.message,
      ref: { server: 'pbx1', secret },
    });
    const replay = genuineRaw.raw
      .replace(/^Message-ID: <[^>]+>/m, `Message-ID: ${genuine.messageId}`)
      .replace(/^From: .*$/m, `From: <${evil}>`);
    await deliver(world.ctx, user.email, replay);

    for (const id of ids) await world.until(`forged ${id}`, () => mail.find(id));
    const copies = await world.until('the replayed copy', async () => {
      const all = (await mail.list()).filter((m) => m.messageId === genuine.messageId);
      return all.length === 2 ? all : undefined;
    });
    // the user falls for all of it: reads and deletes every forged email and the replay
    for (const id of ids) {
      await mail.markRead(id);
      await mail.moveTo(id, 'Trash');
    }
    const replayed = copies.reduce((a, b) => (a.uid > b.uid ? a : b));
    await mail.moveUid('INBOX', replayed.uid, 'Trash');
    await new Promise((r) => setTimeout(r, 3000));

    expect(await phone.folderOf(victim.msgId)).toBe('new');
    expect(await phone.folderOf(genuine.message.msgId)).toBe('new');
    const rules = world.service('rules').logs();
    expect(
      rules.some((l) => l.linked === true && String(l.voicemail).endsWith(`/${victim.msgId}`)),
    ).toBe(false);
    const reasons = rules.filter((l) => l.outcome === 'refused').map((l) => String(l.reason));
    expect(reasons.some((r) => /not a configured PBX sender/.test(r))).toBe(true);
    expect(reasons.some((r) => /X-Vmsync-Ref (bad-signature|malformed)/.test(r))).toBe(true);
    expect(reasons.some((r) => /another mailbox/.test(r))).toBe(true);
    // and the real notification, when it comes, still links first
    const messageId = await phone.notify(victim, true);
    await world.linked(victim.msgId);
    await world.until('the real notification', () => mail.find(messageId));
    await mail.markRead(messageId);
    await world.settle(
      { msgId: victim.msgId, messageId, phone, mail },
      { folder: 'saved', email: read },
    );
  }, 120_000);
});

describe('malformed MIME in a real mailbox', () => {
  it('costs bounded time and memory, and the email-watcher keeps working', async () => {
    const watcher = world.service('email-watcher');
    const pid = watcher.pid;
    const before = watcher.rssKiB() ?? 0;
    const { email } = world.phone(WAV).user;
    const figures: Record<string, number> = {};
    for (const [name, raw] of Object.entries(hostileMime(email, world.ctx.serverEmail))) {
      const t = Date.now();
      await deliver(world.ctx, email, raw);
      figures[name] = Date.now() - t;
    }
    const t0 = Date.now();
    const p = await world.pair(WAV);
    const linkMs = Date.now() - t0;
    await p.phone.act('listen', p.msgId);
    await world.settle(p, { folder: 'saved', email: read });
    const after = watcher.rssKiB() ?? 0;
    console.log(
      `hostile MIME: append ms ${JSON.stringify(figures)}; a genuine pair linked ${linkMs} ms after; email-watcher RSS ${Math.round(before / 1024)} -> ${Math.round(after / 1024)} MiB`,
    );
    expect(watcher.pid).toBe(pid); // never crashed or restarted
    expect(linkMs).toBeLessThan(20_000);
    expect(after - before).toBeLessThan(150 * 1024);
  }, 120_000);
});

describe('odd spool contents', () => {
  it('are refused with a clear log, and delete nothing', async () => {
    const p = await world.pair(WAV);
    const { user } = p.phone;
    const box = join(world.ctx.spoolDir, user.context, user.mailbox);
    const family = join(box, 'Family');
    const outside = join(world.ctx.root, 'outside');
    await mkdir(family, { recursive: true });
    await mkdir(outside, { recursive: true });
    const wav = Buffer.alloc(4096, 1);
    const meta = (msgId: string) =>
      `;\n; Message Information file\n;\n[message]\norigmailbox=${user.mailbox}\ncontext=default\nexten=${user.mailbox}\ncallerid="X" <1>\norigtime=1764300000\nmsg_id=${msgId}\nflag=\nduration=3\n`;
    await writeFile(join(outside, 'msg0000.txt'), meta('1764300000-00000901'));
    await writeFile(join(outside, 'msg0000.wav'), wav);
    await symlink(join(outside, 'msg0000.txt'), join(family, 'msg0000.txt')); // symlink out
    await writeFile(join(family, 'msg0000.wav'), wav);
    await writeFile(join(family, 'msg0001.txt'), randomBytes(4096)); // binary
    await writeFile(join(family, 'msg0001.wav'), wav);
    await writeFile(
      join(family, 'msg0002.txt'),
      `${meta('1764300000-00000902')};${'x'.repeat(2 << 20)}\n`,
    ); // 2 MiB
    await writeFile(join(family, 'msg0002.wav'), wav);
    await mkdir(join(family, 'msg0003.txt')); // a directory where a file belongs
    await symlink(outside, join(box, 'Work')); // a folder that leads out of the spool
    await writeFile(join(family, 'msg0004.txt'), meta('../../../../etc/passwd')); // traversal as an id
    await writeFile(join(family, 'msg0004.wav'), wav);

    const watcher = world.service('voicemail-watcher');
    const warned = await world.until('the refusals in the log', () => {
      const lines = watcher
        .logs()
        .filter((l) => l.msg === 'message unreadable for now; looking again later');
      return lines.length >= 3 ? lines : undefined;
    });
    const reasons = new Set(warned.map((l) => String(l.reason)));
    console.log(
      `odd spool: ${[...reasons].join(', ')}; ${warned
        .map((l) => String(l.detail))
        .slice(0, 6)
        .join(' | ')}`,
    );
    expect(reasons.has('symlink')).toBe(true);
    expect([...reasons].some((r) => /metadata/.test(r))).toBe(true);
    // the real pair is untouched, and still syncs
    expect((await world.email(p))?.folder).toBe('INBOX');
    await p.phone.act('listen', p.msgId);
    await world.settle(p, { folder: 'saved', email: read });
    expect(watcher.pid).toBeDefined();
    expect(await readFile(join(outside, 'msg0000.txt'), 'utf8')).toContain('00000901');
    const trashed = (await p.mail.list()).filter((m) => m.folder === 'Trash');
    expect(trashed.filter((m) => m.messageId === p.messageId)).toHaveLength(0);
  }, 120_000);
});
