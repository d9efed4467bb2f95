import { createKafka, type Kafka } from '@vmsync/bus';
import { type TopicNames, topicNames } from '@vmsync/events';
import { Store } from '@vmsync/store';
import { type CliEnv, need } from './cli-env.js';
import { DomainsFile } from './domains-file.js';
import { CliError, ExitCode } from './exit-codes.js';
import type { Output } from './output.js';

/** What a command is given: the configuration, where to write, and the deployment's Redis and Kafka on demand. */
export class CliContext {
  #store: Store | undefined;
  #kafka: Kafka | undefined;

  constructor(
    readonly env: CliEnv,
    readonly out: Output,
  ) {}

  get topics(): TopicNames {
    return topicNames(this.env.VMSYNC_TOPIC_PREFIX);
  }

  domainsFile(): DomainsFile {
    return new DomainsFile(need(this.env, 'VMSYNC_MAIL_DOMAINS_FILE', 'the mail domains file'));
  }

  /** Redis with the deployment's prefix; exits 4 when it cannot be reached in 5 s. */
  async store(): Promise<Store> {
    if (this.#store) return this.#store;
    const url = need(this.env, 'VMSYNC_REDIS_URL', "the deployment's Redis");
    const store = new Store({ url, prefix: this.env.VMSYNC_DEPLOYMENT, connectionName: 'cli' });
    store.redis.on('error', () => {});
    const timeout = new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error('no answer in 5 s')), 5_000).unref(),
    );
    try {
      await Promise.race([store.connect(), timeout]);
    } catch (error) {
      store.redis.disconnect();
      throw new CliError(
        'REDIS_UNREACHABLE',
        `Redis (VMSYNC_REDIS_URL) cannot be reached: ${(error as Error).message}`,
        ExitCode.unreachable,
        error,
      );
    }
    this.#store = store;
    return store;
  }

  kafka(): Kafka {
    this.#kafka ??= createKafka({
      brokers: need(this.env, 'VMSYNC_KAFKA_BROKERS', 'the Kafka brokers').split(','),
      clientId: 'vmsync-cli',
      logLevel: 'nothing',
      connectionTimeoutMs: 3_000,
      requestTimeoutMs: 10_000,
      retry: { retries: 2, initialRetryTime: 300 },
    });
    return this.#kafka;
  }

  async close(): Promise<void> {
    await this.#store?.close();
  }
}
