import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../../..');

/**
 * Runs a stack script to its exit. Not to the close of its output: a daemon it starts
 * (Dovecot, Kafka) inherits the pipes and would hold them open.
 */
function run(script: string, args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [script, ...args], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => {
      err = (err + d.toString()).slice(-4000);
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 180_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      child.stderr.destroy();
      if (code === 0) resolve();
      else reject(new Error(`${script} ${args.join(' ')} failed (${code}): ${err}`));
    });
  });
}

const portOf = (url: string | undefined) => (url ? /:(\d+)(\/|$)/.exec(url)?.[1] : undefined);

/**
 * The stack's ports as the running stack has them (from its env file's URLs), so a part
 * restarted here comes back where it was, never on a default port another stack uses.
 */
export function stackPorts(env = process.env): Record<string, string> {
  const ports: Record<string, string | undefined> = {
    VMSYNC_REDIS_PORT: portOf(env.VMSYNC_REDIS_URL),
    VMSYNC_KAFKA_PORT: portOf(env.VMSYNC_KAFKA_BROKERS?.split(',')[0]),
    VMSYNC_GOOGLE_PORT: portOf(env.VMSYNC_GOOGLE_TOKEN_URL),
    VMSYNC_IMAP_PORT: env.VMSYNC_IMAP_PORT,
    VMSYNC_IMAP_PLAIN_PORT: env.VMSYNC_IMAP_PLAIN_PORT,
    VMSYNC_KAFKA_CONTROLLER_PORT: env.VMSYNC_KAFKA_CONTROLLER_PORT,
  };
  return Object.fromEntries(
    Object.entries(ports).filter((e): e is [string, string] => e[1] !== undefined),
  );
}

/** Stops or starts one part of the local stack (scripts/stack/<part>.sh), on its own ports. */
export async function stack(
  part: 'redis' | 'kafka' | 'dovecot' | 'google',
  command: 'up' | 'down',
  env: Record<string, string> = {},
): Promise<void> {
  const ports = stackPorts();
  if (part === 'kafka' && ports.VMSYNC_KAFKA_CONTROLLER_PORT === undefined) {
    throw new Error('VMSYNC_KAFKA_CONTROLLER_PORT must be exported to restart Kafka');
  }
  await run(join(ROOT, 'scripts/stack', `${part}.sh`), [command], {
    ...process.env,
    ...ports,
    ...env,
  });
}

/** One row of the fault table (docs/reliability.md). */
export interface FaultRow {
  fault: string;
  /** From the fault's end to every user change reflected on both sides. */
  recoveryMs: number;
  outcome: string;
}

export function printTable(rows: readonly FaultRow[]): void {
  const lines = rows.map(
    (r) => `| ${r.fault} | ${r.outcome} | ${(r.recoveryMs / 1000).toFixed(1)} s |`,
  );
  console.log(['| fault | outcome | recovery |', '|---|---|---|', ...lines].join('\n'));
}
