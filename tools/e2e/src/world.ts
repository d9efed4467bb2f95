import { join } from 'node:path';
import {
  type DemoContext,
  MailboxUser,
  type MailView,
  PhoneUser,
  serviceEnv,
  setUp,
} from '@vmsync/demo';
import { ServiceProcess, serviceDigest, uniqueName, waitFor } from '@vmsync/testkit';

export const SERVICES = [
  'rules',
  'voicemail-watcher',
  'voicemail-actuator',
  'email-watcher',
  'mail-actuator',
] as const;

export interface Pair {
  msgId: string;
  messageId: string;
  phone: PhoneUser;
  mail: MailboxUser;
}

/**
 * The real system from the outside: the five services as processes against the local
 * stack, a spool the test acts on as the PBX's user, and mailboxes it acts on as an IMAP
 * client. Nothing inside vmsync is touched.
 */
export class World {
  ctx!: DemoContext;
  services: ServiceProcess[] = [];
  #env: Record<string, string> = {};
  #phones: PhoneUser[] = [];
  #mails: MailboxUser[] = [];
  readonly #root: string;

  constructor(
    private readonly name: string,
    private readonly first: number,
    private readonly users = 2,
    private readonly options: {
      /** Set last on every service (e.g. where to export traces). */
      extraEnv?: Record<string, string>;
      /** Runs after the world is set up, before the services start (e.g. re-point IMAP). */
      prepare?: (ctx: DemoContext) => Promise<void>;
    } = {},
  ) {
    this.#root = join(process.env.VMSYNC_STACK_DIR ?? '.stack', `e2e-${name}`);
  }

  async start(): Promise<void> {
    const root = this.#root;
    this.ctx = await setUp(process.env, { root, first: this.first, users: this.users });
    this.#env = {
      ...serviceEnv(this.ctx, process.env, uniqueName(this.name).toLowerCase()),
      VMSYNC_CONSUMER_SESSION_TIMEOUT_MS: '6000',
      VMSYNC_EMAIL_POLL_INTERVAL_MS: '1000',
      VMSYNC_WATCH_LEASE_MS: '6000',
      ...this.options.extraEnv,
    };
    this.#phones = this.ctx.users.map((u) => new PhoneUser(this.ctx, u));
    this.#mails = this.ctx.users.map((u) => new MailboxUser(this.ctx, u.email));
    await this.options.prepare?.(this.ctx);
    await this.startServices();
    await this.watching();
  }

  /**
   * Waits until the email-watcher watches every user's mailbox (its start-up look done), so
   * a test begins on a running system, not on one still connecting.
   */
  async watching(timeoutMs = 60_000): Promise<void> {
    for (const user of this.ctx.users) {
      await this.until(
        `the email-watcher watching ${user.email}`,
        () =>
          this.service('email-watcher')
            .logs()
            .find((l) => l.msg === 'watching mailbox' && l.account === user.email),
        timeoutMs,
      );
    }
  }

  /** Starts (or restarts) these services; `env` is added for this start only. */
  async startServices(
    names: readonly string[] = SERVICES,
    env: Record<string, string> = {},
  ): Promise<void> {
    for (const name of names) {
      const service = new ServiceProcess(name, { ...this.#env, ...env });
      await service.start(60_000);
      this.services = [...this.services.filter((s) => s.service !== name), service];
    }
  }

  /** The port of a service's /healthz, /readyz, /metrics (from its `started` line). */
  opsPort(name: string): number {
    const started = this.service(name)
      .logs()
      .find((l) => typeof l.opsPort === 'number');
    if (!started) throw new Error(`${name} logged no opsPort`);
    return started.opsPort as number;
  }

  /** The services' environment (deployment, topic prefix...), for tests that look inside the bus. */
  get env(): Readonly<Record<string, string>> {
    return this.#env;
  }

  service(name: string): ServiceProcess {
    const s = this.services.find((x) => x.service === name);
    if (!s) throw new Error(`no ${name}`);
    return s;
  }

  async stopServices(): Promise<void> {
    this.supervise(false);
    await Promise.all(this.services.map((s) => s.stop()));
  }

  #supervisor: NodeJS.Timeout | undefined;
  readonly #restarting = new Set<string>();
  /** Services the supervisor restarted, in order, and why a restart failed. */
  readonly restarts: string[] = [];
  readonly restartErrors: string[] = [];

  /** Restarts any service that exits, as a deployment's supervisor does (restart: unless-stopped). */
  supervise(on = true): void {
    clearInterval(this.#supervisor);
    this.#supervisor = undefined;
    if (!on) return;
    this.#supervisor = setInterval(() => {
      for (const s of this.services) {
        if (s.pid !== undefined || this.#restarting.has(s.service)) continue;
        this.#restarting.add(s.service);
        this.restarts.push(s.service);
        this.startServices([s.service])
          .catch((error: unknown) => void this.restartErrors.push(String(error)))
          .finally(() => this.#restarting.delete(s.service));
      }
    }, 250);
  }

  async stop(): Promise<void> {
    await this.stopServices();
    await Promise.all(this.#mails.map((m) => m.close()));
  }

  phone(i: number): PhoneUser {
    const p = this.#phones[i];
    if (!p) throw new Error(`no user ${i}`);
    return p;
  }

  mail(i: number): MailboxUser {
    const m = this.#mails[i];
    if (!m) throw new Error(`no user ${i}`);
    return m;
  }

  /** A voicemail and its notification, linked by vmsync (the rules say so in their log). */
  async pair(i: number, options: { signed?: boolean; link?: boolean } = {}): Promise<Pair> {
    const phone = this.phone(i);
    const mail = this.mail(i);
    const v = await phone.voicemail({
      caller: 'Test',
      callerNum: '5550100',
      signed: options.signed ?? true,
    });
    const pair = { msgId: v.message.msgId, messageId: v.messageId ?? '', phone, mail };
    await this.until('the email', () => mail.find(pair.messageId));
    if (options.link !== false) await this.linked(pair.msgId);
    return pair;
  }

  /** Waits until the rules have linked this voicemail to its email. */
  linked(msgId: string): Promise<unknown> {
    return this.until(`the link of ${msgId}`, () =>
      this.service('rules')
        .logs()
        .find((l) => l.linked === true && String(l.voicemail ?? '').endsWith(`/${msgId}`)),
    );
  }

  until<T>(
    what: string,
    check: () => Promise<T | undefined> | T | undefined,
    timeoutMs = 20_000,
  ): Promise<T> {
    return waitFor(what, check, timeoutMs, 25).catch((error: unknown) => {
      throw new Error(`${(error as Error).message}\n${this.digest()}`, { cause: error });
    });
  }

  /** What the services were saying, for a failure's message; their whole logs go to a file. */
  digest(): string {
    return serviceDigest(this.services, { logDir: this.#root });
  }

  async email(p: Pair): Promise<MailView | undefined> {
    return p.mail.find(p.messageId);
  }

  async voicemail(p: Pair): Promise<string | null> {
    return p.phone.folderOf(p.msgId);
  }

  /** Waits until both sides show the given states. */
  async settle(
    p: Pair,
    want: { folder: string | null; email: { folder: MailView['folder']; seen: boolean } | null },
    timeoutMs = 20_000,
  ): Promise<void> {
    await this.until(
      `voicemail ${want.folder} and email ${JSON.stringify(want.email)}`,
      async () => {
        const [folder, email] = [await this.voicemail(p), await this.email(p)];
        const emailOk =
          want.email === null
            ? email === undefined
            : email?.folder === want.email.folder && email.seen === want.email.seen;
        return folder === want.folder && emailOk ? true : undefined;
      },
      timeoutMs,
    );
  }

  /** Commands the actuators carried out for these ids so far (outcome per line). */
  actuatorLines(): Record<string, unknown>[] {
    return this.services
      .filter((s) => s.service.endsWith('actuator'))
      .flatMap((s) => s.logs().filter((l) => l.msg === 'command carried out'));
  }
}
