import { randomBytes } from 'node:crypto';
import type { Store } from '@vmsync/store';
import type { Logger } from '@vmsync/telemetry';

/**
 * Notices that Redis lost the deployment's state (restarted empty, flushed, failed over to
 * an empty replica). Every service works from that state (pairs, observations, intents,
 * leases); carrying on without it, a watcher would publish only later changes and the
 * pairs would never be linked again. The deployment's `epoch` key is created by the first
 * service to start; when it is gone or replaced, `onLost` runs (main: exit, so the
 * supervisor's restart rebuilds everything from fresh start-up snapshots).
 */
export async function watchRedisEpoch(
  store: Store,
  logger: Logger,
  onLost: () => void,
  intervalMs = 1000,
): Promise<() => void> {
  const key = store.key('epoch');
  await store.redis.set(key, randomBytes(8).toString('hex'), 'NX');
  const epoch = await store.redis.get(key);
  const timer = setInterval(() => {
    store.redis.get(key).then(
      (now) => {
        if (now === epoch) return;
        clearInterval(timer);
        logger.fatal(
          { epoch, now },
          'Redis lost the deployment state (epoch key gone or replaced); exiting so a restart rebuilds it from fresh snapshots',
        );
        onLost();
      },
      () => undefined, // Redis unreachable: nothing is known yet; look again
    );
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
