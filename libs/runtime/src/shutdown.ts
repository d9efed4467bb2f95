interface Step {
  name: string;
  run: () => Promise<void> | void;
}

export interface ShutdownLogger {
  info(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/**
 * Graceful shutdown on SIGTERM/SIGINT, once: steps run in the reverse order of their
 * registration (the last thing started stops first: stop consuming, finish in-flight
 * work, commit, close connections). A step that fails is logged and the rest still run;
 * a second signal during shutdown exits at once.
 */
export class Shutdown {
  readonly #steps: Step[] = [];
  #running: Promise<void> | undefined;

  constructor(
    private readonly logger: ShutdownLogger,
    private readonly timeoutMs = 25_000,
  ) {}

  add(name: string, run: Step['run']): void {
    this.#steps.push({ name, run });
  }

  listen(): void {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      process.on(signal, () => {
        if (this.#running) {
          this.logger.info({ signal }, 'second signal: exiting now');
          process.exit(1);
        }
        this.logger.info({ signal }, 'shutting down');
        void this.run().then(() => process.exit(0));
      });
    }
  }

  run(): Promise<void> {
    this.#running ??= this.#run();
    return this.#running;
  }

  async #run(): Promise<void> {
    const timer = setTimeout(() => {
      this.logger.error({ timeoutMs: this.timeoutMs }, 'shutdown took too long: exiting');
      process.exit(1);
    }, this.timeoutMs);
    timer.unref();
    for (const step of [...this.#steps].reverse()) {
      try {
        await step.run();
        this.logger.info({ step: step.name }, 'stopped');
      } catch (error) {
        this.logger.error({ step: step.name, err: String(error) }, 'shutdown step failed');
      }
    }
    clearTimeout(timer);
  }
}
