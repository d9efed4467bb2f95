import { randomBytes } from 'node:crypto';
import { link, lstat, open, unlink } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { VmsyncError } from '@vmsync/errors';

/**
 * Asterisk's folder lock (main/app.c, lockfile mode, the default): create a unique
 * `.lock-XXXXXXXX`, hard-link it to `.lock` (link fails while another holder has it),
 * retry for 5 s, then drop the temporary name. Unlock removes `.lock`.
 *
 * Stale locks: Asterisk never breaks them, and neither does vmsync; a holder that is only
 * slow would otherwise lose its lock mid-write. A timeout reports the lock's age so an
 * operator can remove a lock left by a crash.
 *
 * `lockmode=flock` in asterisk.conf is not supported (Node has no flock).
 */
export const LOCK_NAME = '.lock';
export const LOCK_TIMEOUT_MS = 5_000;

export class SpoolLockTimeoutError extends VmsyncError {
  readonly lockPath: string;
  readonly lockAgeMs: number | null;

  constructor(lockPath: string, waitedMs: number, lockAgeMs: number | null) {
    const age =
      lockAgeMs === null
        ? ''
        : `; the lock is ${Math.round(lockAgeMs / 1000)} s old` +
          (lockAgeMs > 60_000
            ? ' and probably stale (Asterisk never removes one): delete it if no voicemail operation is running'
            : '');
    super('SPOOL_LOCK_TIMEOUT', `could not lock ${lockPath} within ${waitedMs} ms${age}`, {
      retriable: true,
    });
    this.name = 'SpoolLockTimeoutError';
    this.lockPath = lockPath;
    this.lockAgeMs = lockAgeMs;
  }
}

export interface FolderLock {
  readonly dir: string;
  release(): Promise<void>;
}

export interface LockOptions {
  /** How long to keep trying; Asterisk tries for 5 s. */
  timeoutMs?: number;
}

/** Takes the lock on one folder directory (which must exist). */
export async function lockFolder(dir: string, options: LockOptions = {}): Promise<FolderLock> {
  const timeoutMs = options.timeoutMs ?? LOCK_TIMEOUT_MS;
  const lockPath = path.join(dir, LOCK_NAME);
  const temp = path.join(dir, `.lock-${randomBytes(4).toString('hex')}`);
  try {
    const handle = await open(temp, 'wx', 0o600);
    await handle.close();
  } catch (error) {
    throw new VmsyncError(
      'SPOOL_LOCK_FAILED',
      `cannot create ${temp}: ${(error as Error).message}`,
      {
        retriable: (error as NodeJS.ErrnoException).code !== 'EACCES',
        cause: error,
      },
    );
  }
  const start = Date.now();
  let delay = 1;
  try {
    for (;;) {
      try {
        await link(temp, lockPath);
        return { dir, release: () => unlockFolder(dir) };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
          throw new VmsyncError(
            'SPOOL_LOCK_FAILED',
            `cannot link ${lockPath}: ${(error as Error).message}`,
            {
              retriable: true,
              cause: error,
            },
          );
        }
      }
      const waited = Date.now() - start;
      if (waited >= timeoutMs) {
        throw new SpoolLockTimeoutError(lockPath, waited, await lockAge(lockPath));
      }
      // Holders keep the lock for milliseconds; poll fast, with jitter so waiters spread out.
      await sleep(Math.min(delay, timeoutMs - waited) * (0.5 + Math.random()));
      delay = Math.min(delay * 2, 16);
    }
  } finally {
    await unlink(temp).catch(() => undefined);
  }
}

export async function unlockFolder(dir: string): Promise<void> {
  await unlink(path.join(dir, LOCK_NAME)).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw error;
  });
}

async function lockAge(lockPath: string): Promise<number | null> {
  try {
    return Date.now() - (await lstat(lockPath)).mtimeMs;
  } catch {
    return null;
  }
}

/**
 * Runs `fn` holding the locks of several folders. Asterisk holds its source folder while it
 * waits for the destination, so two opposite moves can wait on each other; here a second
 * lock is only waited for briefly, and on failure everything is released and retried after
 * a random pause, until the overall budget runs out.
 */
export async function withFolderLocks<T>(
  dirs: readonly string[],
  fn: () => Promise<T>,
  options: LockOptions = {},
): Promise<T> {
  const ordered = [...new Set(dirs)].sort();
  const budget = options.timeoutMs ?? LOCK_TIMEOUT_MS;
  const start = Date.now();
  for (;;) {
    const held: FolderLock[] = [];
    try {
      for (const [i, dir] of ordered.entries()) {
        const remaining = Math.max(0, budget - (Date.now() - start));
        const timeoutMs = i === 0 ? remaining : Math.min(remaining, 100 + Math.random() * 150);
        held.push(await lockFolder(dir, { timeoutMs }));
      }
    } catch (error) {
      await releaseAll(held);
      const spent = Date.now() - start;
      if (!(error instanceof SpoolLockTimeoutError) || spent >= budget) throw error;
      await sleep(Math.random() * 20);
      continue;
    }
    try {
      return await fn();
    } finally {
      await releaseAll(held);
    }
  }
}

async function releaseAll(held: FolderLock[]): Promise<void> {
  const results = await Promise.allSettled(held.reverse().map((lock) => lock.release()));
  const failed = results.find((r) => r.status === 'rejected');
  if (failed) throw failed.reason;
}
