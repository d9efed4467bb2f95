import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** What `./vmsync demo` set up, saved so `act.ts` can act on the same spool and mailboxes. */
export interface DemoContext {
  root: string;
  spoolDir: string;
  confPath: string;
  serverEmail: string;
  server: string;
  refSecretFile: string;
  imap: {
    host: string;
    port: number;
    caFile: string;
    masterUser: string;
    masterPassword: string;
    separator: string;
  };
  users: { email: string; mailbox: string; context: string; attach: boolean }[];
}

export function demoRoot(): string {
  return join(process.env.VMSYNC_STACK_DIR ?? join(process.cwd(), '.stack'), 'demo');
}

export async function saveContext(ctx: DemoContext): Promise<void> {
  await writeFile(join(ctx.root, 'demo.json'), `${JSON.stringify(ctx, null, 2)}\n`, {
    mode: 0o600,
  });
}

export async function loadContext(): Promise<DemoContext> {
  const file = join(demoRoot(), 'demo.json');
  try {
    return JSON.parse(await readFile(file, 'utf8')) as DemoContext;
  } catch {
    throw new Error(`no demo is set up (${file}): run ./vmsync demo first`);
  }
}
