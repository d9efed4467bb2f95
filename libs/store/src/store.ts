import { VmsyncError } from '@vmsync/errors';
import { Redis } from 'ioredis';

export interface StoreOptions {
  url: string;
  /** One per deployment: every key this store touches starts with `<prefix>:`. */
  prefix: string;
  /** Name shown in Redis CLIENT LIST, to tell the services apart. */
  connectionName?: string;
  /** Overrides the URL's password (kept out of the URL so it can come from a file). */
  password?: string;
  /** Trust for a `rediss://` URL's certificate (always verified). */
  tls?: { ca: string[] };
}

/**
 * The shared state of a deployment (pair store, watchers' last observations, actuators'
 * intents) in Redis. All keys are prefixed per deployment so several deployments, or
 * tests, share one Redis without seeing each other.
 */
export class Store {
  readonly redis: Redis;
  readonly prefix: string;

  constructor(options: StoreOptions) {
    this.prefix = options.prefix;
    this.redis = new Redis(options.url, {
      keyPrefix: `${options.prefix}:`,
      connectionName: options.connectionName ?? 'vmsync',
      lazyConnect: true,
      maxRetriesPerRequest: 3,
      enableAutoPipelining: true,
      ...(options.password === undefined ? {} : { password: options.password }),
      ...(options.tls === undefined ? {} : { tls: { ca: options.tls.ca } }),
    });
  }

  async connect(): Promise<void> {
    try {
      await this.redis.connect();
    } catch (error) {
      // The URL may hold a password: say which host failed, not the URL.
      const { host, port } = this.redis.options;
      throw new VmsyncError('REDIS_UNREACHABLE', `cannot connect to Redis at ${host}:${port}`, {
        retriable: true,
        cause: error,
      });
    }
  }

  /** Joins key parts with `:`; the deployment prefix is added by the client. */
  key(...parts: string[]): string {
    return parts.join(':');
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
