import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { allocatorEnv } from './allocator.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../../..');

const live = new Set<ChildProcess>();
// No service may outlive the process that started it (a test run, the demo): a leftover
// one would go on acting on the same spool and mailboxes under an old deployment.
process.on('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/** A vmsync service run as its own process, as in production, for tests and the demo. */
export class ServiceProcess {
  readonly lines: string[] = [];
  #child: ChildProcess | undefined;
  #exited: Promise<number | null> | undefined;

  constructor(
    readonly service: string,
    private readonly env: Record<string, string>,
    /** Node's own flags for this process (e.g. --cpu-prof, which NODE_OPTIONS refuses). */
    private readonly nodeFlags: readonly string[] = [],
  ) {}

  /** Starts `services/<name>/src/main.ts` and resolves once it logs `started`. */
  async start(timeoutMs = 30_000): Promise<void> {
    // node itself with tsx's loader, not the tsx CLI: the CLI runs the program in a child
    // process, so a SIGKILL meant for the service would only kill the wrapper.
    const main = join(ROOT, 'services', this.service, 'src/main.ts');
    const child = spawn(process.execPath, ['--import', 'tsx', ...this.nodeFlags, main], {
      cwd: ROOT,
      env: { ...process.env, ...allocatorEnv({ ...process.env, ...this.env }), ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.#child = child;
    live.add(child);
    this.#exited = new Promise((resolve) =>
      child.once('exit', (code) => {
        live.delete(child);
        resolve(code);
      }),
    );
    let buffer = '';
    const onData = (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      const parts = buffer.split('\n');
      buffer = parts.pop() ?? '';
      this.lines.push(...parts.filter(Boolean));
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    const deadline = Date.now() + timeoutMs;
    while (!this.lines.some((l) => /"msg":"[^"]* started"/.test(l))) {
      if (child.exitCode !== null) {
        throw new Error(`${this.service} exited (${child.exitCode}):\n${this.lines.join('\n')}`);
      }
      if (Date.now() > deadline) {
        this.kill('SIGKILL');
        throw new Error(`${this.service} did not start in time:\n${this.lines.join('\n')}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** The process id while it runs (for its memory, /proc/<pid>/status). */
  get pid(): number | undefined {
    const c = this.#child;
    // killed by a signal, a child keeps exitCode null: signalCode says it is gone
    return c && c.exitCode === null && c.signalCode === null ? c.pid : undefined;
  }

  /** Resident memory in KiB now, from /proc (Linux); undefined when not running. */
  rssKiB(): number | undefined {
    const pid = this.pid;
    if (pid === undefined) return undefined;
    try {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]);
    } catch {
      return undefined;
    }
  }

  kill(signal: NodeJS.Signals): void {
    this.#child?.kill(signal);
  }

  /** SIGTERM, and the exit code once it has exited. */
  async stop(): Promise<number | null> {
    if (!this.#child || this.#child.exitCode !== null) return this.#child?.exitCode ?? null;
    this.kill('SIGTERM');
    return (await this.#exited) ?? null;
  }

  exited(): Promise<number | null> {
    return this.#exited ?? Promise.resolve(null);
  }

  /** Structured log lines (pino JSON) the process wrote. */
  logs(): Record<string, unknown>[] {
    return this.lines.flatMap((l) => {
      try {
        return [JSON.parse(l) as Record<string, unknown>];
      } catch {
        return [];
      }
    });
  }
}
