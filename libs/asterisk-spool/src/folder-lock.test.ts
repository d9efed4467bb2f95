import { mkdir, readdir, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { lockFolder, SpoolLockTimeoutError, withFolderLocks } from './folder-lock.js';
import { tempSpool } from './test-fixtures.js';

let spool: Awaited<ReturnType<typeof tempSpool>>;
let dir: string;

beforeEach(async () => {
  spool = await tempSpool();
  dir = path.join(spool.spoolDir, 'default', '1001', 'INBOX');
  await mkdir(dir, { recursive: true });
});
afterEach(() => spool.cleanup());

describe('lockFolder (ast_lock_path, lockfile mode)', () => {
  it('creates .lock through a .lock-XXXXXXXX link, leaves no temp, removes .lock on release', async () => {
    const lock = await lockFolder(dir);
    expect(await readdir(dir)).toEqual(['.lock']);
    await lock.release();
    expect(await readdir(dir)).toEqual([]);
  });

  it('is exclusive: a second taker waits until the first releases', async () => {
    const first = await lockFolder(dir);
    const order: string[] = [];
    const second = lockFolder(dir).then((l) => {
      order.push('second');
      return l;
    });
    await new Promise((r) => setTimeout(r, 30));
    order.push('release');
    await first.release();
    await (await second).release();
    expect(order).toEqual(['release', 'second']);
  });

  it('times out on a lock nobody releases, and says how old it is', async () => {
    await writeFile(path.join(dir, '.lock'), '');
    const old = new Date(Date.now() - 3_600_000);
    await utimes(path.join(dir, '.lock'), old, old);
    const start = Date.now();
    const error = await lockFolder(dir, { timeoutMs: 60 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SpoolLockTimeoutError);
    expect((error as SpoolLockTimeoutError).retriable).toBe(true);
    expect((error as Error).message).toMatch(/3600 s old.*stale/);
    expect(Date.now() - start).toBeLessThan(1000);
    // Asterisk never breaks a stale lock, and neither does vmsync; its own temp is gone.
    expect(await readdir(dir)).toEqual(['.lock']);
  });

  it('serializes many takers', async () => {
    let inside = 0;
    let most = 0;
    await Promise.all(
      Array.from({ length: 20 }, async () => {
        const l = await lockFolder(dir);
        inside++;
        most = Math.max(most, inside);
        await new Promise((r) => setTimeout(r, 1));
        inside--;
        await l.release();
      }),
    );
    expect(most).toBe(1);
  });
});

describe('withFolderLocks', () => {
  it('takes two folders in opposite orders at once without deadlock', async () => {
    const old = path.join(spool.spoolDir, 'default', '1001', 'Old');
    await mkdir(old);
    const runs: string[] = [];
    await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        withFolderLocks(i % 2 ? [dir, old] : [old, dir], async () => {
          runs.push(`${i}`);
          await new Promise((r) => setTimeout(r, 2));
        }),
      ),
    );
    expect(runs).toHaveLength(10);
    expect(await readdir(dir)).toEqual([]);
    expect(await readdir(old)).toEqual([]);
  });

  it('backs off and retries when an outside holder (Asterisk) keeps the second folder a while', async () => {
    const old = path.join(spool.spoolDir, 'default', '1001', 'Old');
    await mkdir(old);
    const outside = await lockFolder(old);
    setTimeout(() => void outside.release(), 400);
    const start = Date.now();
    await withFolderLocks([dir, old], async () => undefined);
    expect(Date.now() - start).toBeGreaterThanOrEqual(350);
  });

  it('releases the locks when the work throws', async () => {
    await expect(
      withFolderLocks([dir], async () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await readdir(dir)).toEqual([]);
  });
});
