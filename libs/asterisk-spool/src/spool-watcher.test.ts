import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ChangeHint, SpoolWatcher } from './spool-watcher.js';
import { SpoolWriter } from './spool-writer.js';
import { putMessage, tempSpool } from './test-fixtures.js';

let spool: Awaited<ReturnType<typeof tempSpool>>;
let watcher: SpoolWatcher | null = null;
let hints: Array<ChangeHint & { at: number }>;

beforeEach(async () => {
  spool = await tempSpool();
  hints = [];
  await mkdir(path.join(spool.spoolDir, 'default', '1001', 'INBOX'), { recursive: true });
  await mkdir(path.join(spool.spoolDir, 'default', '1002', 'INBOX'), { recursive: true });
});
afterEach(async () => {
  await watcher?.close();
  watcher = null;
  await spool.cleanup();
});

async function start(options: ConstructorParameters<typeof SpoolWatcher>[2] = {}) {
  watcher = new SpoolWatcher(spool.spoolDir, (h) => hints.push({ ...h, at: performance.now() }), {
    rescanIntervalMs: 0,
    ...options,
  });
  await watcher.start();
}

async function waitFor(pred: () => boolean, ms = 1000): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out; hints: ${JSON.stringify(hints)}`);
    await new Promise((r) => setTimeout(r, 1));
  }
}

describe('SpoolWatcher', () => {
  it('hints the mailbox within a few ms of a message file landing', async () => {
    await start();
    const t0 = performance.now();
    await putMessage(spool.spoolDir, 'INBOX', 0, 'm-1');
    await waitFor(() => hints.length > 0);
    expect(hints[0]).toMatchObject({
      mailbox: '1001@default',
      context: 'default',
      box: '1001',
      reason: 'fs',
    });
    // 5 ms of debounce plus the file writes; measured ~7 ms here.
    expect((hints[0]?.at ?? 0) - t0).toBeLessThan(25);
  });

  it('coalesces a burst of events into one hint per mailbox', async () => {
    await start({ debounceMs: 5 });
    const dir = path.join(spool.spoolDir, 'default', '1001', 'INBOX');
    await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        writeFile(path.join(dir, `msg${String(i).padStart(4, '0')}.txt`), 'x'),
      ),
    );
    await new Promise((r) => setTimeout(r, 50));
    expect(hints.filter((h) => h.mailbox === '1001@default').length).toBeLessThanOrEqual(2);
    expect(hints.some((h) => h.mailbox === '1002@default')).toBe(false);
  });

  it("sees a writer's move (both folders) and the lock going away", async () => {
    await putMessage(spool.spoolDir, 'INBOX', 0, 'm-1');
    await start();
    await new SpoolWriter(spool.spoolDir).apply('default', '1001', 'm-1', 'ensure-heard');
    await waitFor(() => hints.length > 0);
    expect(hints.every((h) => h.mailbox === '1001@default')).toBe(true);
  });

  it('watches a folder created after start (Old on first save)', async () => {
    await start();
    await mkdir(path.join(spool.spoolDir, 'default', '1001', 'Old'));
    await waitFor(() => hints.length > 0);
    hints.length = 0;
    await new Promise((r) => setTimeout(r, 20));
    hints.length = 0;
    await writeFile(path.join(spool.spoolDir, 'default', '1001', 'Old', 'msg0000.txt'), 'x');
    await waitFor(() => hints.some((h) => h.mailbox === '1001@default'));
  });

  it('discovers a new mailbox and a new context', async () => {
    await start();
    await mkdir(path.join(spool.spoolDir, 'default', '1003', 'INBOX'), { recursive: true });
    await waitFor(() => hints.some((h) => h.mailbox === '1003@default'));
    await mkdir(path.join(spool.spoolDir, 'sales', '2001', 'INBOX'), { recursive: true });
    await waitFor(() => hints.some((h) => h.mailbox === '2001@sales'));
    hints.length = 0;
    await new Promise((r) => setTimeout(r, 20));
    await writeFile(path.join(spool.spoolDir, 'sales', '2001', 'INBOX', 'msg0000.wav'), 'x');
    await waitFor(() => hints.some((h) => h.mailbox === '2001@sales' && h.reason === 'fs'));
  });

  it('ignores files that are not messages', async () => {
    await start();
    const dir = path.join(spool.spoolDir, 'default', '1001', 'INBOX');
    await writeFile(path.join(dir, 'notes.txt'), 'x');
    await writeFile(path.join(dir, '.vmsync-123'), 'x');
    await rename(path.join(dir, '.vmsync-123'), path.join(dir, '.vmsync-456'));
    await new Promise((r) => setTimeout(r, 30));
    expect(hints).toEqual([]);
  });

  it('hints every mailbox on the interval rescan', async () => {
    await start({ rescanIntervalMs: 30 });
    await waitFor(
      () => new Set(hints.filter((h) => h.reason === 'rescan').map((h) => h.mailbox)).size === 2,
    );
  });

  it('spreads the rescan over its interval: a slice of the mailboxes each second', async () => {
    // Two mailboxes, each hinted once every 2 s: one a second, not both at once.
    await start({ rescanIntervalMs: 2_000 });
    await waitFor(() => hints.filter((h) => h.reason === 'rescan').length >= 3, 5_000);
    const rescans = hints.filter((h) => h.reason === 'rescan');
    expect(new Set(rescans.slice(0, 2).map((h) => h.mailbox)).size).toBe(2);
    for (let i = 1; i < 3; i++) {
      const gap = (rescans[i]?.at ?? 0) - (rescans[i - 1]?.at ?? 0);
      expect(gap).toBeGreaterThan(900);
    }
  });

  it('stops hinting once closed', async () => {
    await start();
    await watcher?.close();
    await putMessage(spool.spoolDir, 'INBOX', 0, 'm-1');
    await new Promise((r) => setTimeout(r, 30));
    expect(hints).toEqual([]);
  });
});
