/**
 * What one idle IMAP connection costs in memory in a Node process, layer by layer, against
 * the local Dovecot: the floor under the email-watcher's "memory per watched mailbox".
 *   1. a bare TLS socket (handshake done, greeting read, nothing else);
 *   2. the same after one exchange (NOOP and its answer): what the handshake left is freed;
 *   3. a bare TLS socket resuming the TLS session of the one before;
 *   4. vmsync's connector: token, TLS (resumed), login, INBOX examined, IDLE.
 * Each kind in a process of its own (RSS only grows back so far after a GC): anonymous RSS
 * (RssAnon: the process's own memory, not its mapped files, which the kernel may drop and
 * read again at any time) and V8 heap after N connections, minus before, per connection.
 * V8's young generation is shown apart: it grows with the rate of allocation while
 * connecting, up to twice --max-semi-space-size (32 MiB by default) whatever the number of
 * connections, a fixed cost of a busy process, not a per-connection one. Prints a table and
 * writes .bench/connection-memory.json. Not a test: nothing asserts.
 *
 * Knobs (env): BENCH_CONNECTIONS (500), BENCH_FIRST_USER (41: the email-side benchmark's
 * users, idle between its runs).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import tls from 'node:tls';
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { allocatorEnv } from '@vmsync/testkit';
// Not dependencies of @vmsync/bench: taken by path, the way the integration tests use them.
import { ImapConnector, loadMailDomains } from '../../../libs/imap-mailbox/src/index.js';
import { stackEnv, writeTestDomainsFile } from '../../../libs/imap-mailbox/src/testing/index.js';

type ImapFlow = Awaited<ReturnType<ImapConnector['connect']>>;
const KINDS = ['tls', 'tls-exchanged', 'tls-resumed', 'vmsync-idle'] as const;
type Kind = (typeof KINDS)[number];
const N = Number(process.env.BENCH_CONNECTIONS ?? 500);
const FIRST_USER = Number(process.env.BENCH_FIRST_USER ?? 41);
const env = process.env as Record<string, string>;
if (!env.VMSYNC_IMAP_HOST) throw new Error('run through ./vmsync bench connection-memory');

interface Measured {
  kind: Kind;
  connections: number;
  /** Anonymous RSS per connection, young generation excluded. */
  rssKiBPerConnection: number;
  /** The same with the young generation's growth while connecting (a fixed cost). */
  rssWithYoungGenerationKiBPerConnection: number;
  youngGenerationGrowthMiB: number;
  heapKiBPerConnection: number;
  resumed: number;
}

const kind = process.argv[2] as Kind | undefined;
if (kind === undefined) {
  // The parent: each kind in a fresh process.
  const results: Measured[] = [];
  for (const k of KINDS) {
    const child = spawnSync(process.execPath, [...process.execArgv, process.argv[1] as string, k], {
      // each kind with the services' malloc (jemalloc where installed; VMSYNC_MALLOC=glibc)
      env: { ...process.env, ...allocatorEnv() },
      encoding: 'utf8',
    });
    const line = child.stdout.split('\n').find((l) => l.startsWith('{'));
    if (child.status !== 0 || line === undefined) {
      throw new Error(`${k}: exited ${child.status}\n${child.stderr.slice(-2000)}`);
    }
    results.push(JSON.parse(line) as Measured);
  }
  console.log(`\nidle connections to the local Dovecot, ${N} of each kind (KiB per connection)`);
  console.log(
    'kind                 RSS   V8 heap   TLS resumed   (RSS with young gen., its growth)',
  );
  for (const r of results) {
    console.log(
      `${r.kind.padEnd(18)} ${r.rssKiBPerConnection.toFixed(1).padStart(6)}  ${r.heapKiBPerConnection.toFixed(1).padStart(8)}   ${`${r.resumed}/${r.connections}`.padStart(11)}   (${r.rssWithYoungGenerationKiBPerConnection.toFixed(1)}, +${r.youngGenerationGrowthMiB.toFixed(1)} MiB)`,
    );
  }
  const out = join(process.cwd(), '.bench');
  await mkdir(out, { recursive: true });
  await writeFile(join(out, 'connection-memory.json'), `${JSON.stringify(results, null, 2)}\n`);
  console.log('written: .bench/connection-memory.json');
  process.exit(0);
}

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const settle = async () => {
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((r) => setTimeout(r, 300));
  }
};
const rssKiB = () =>
  Number(/RssAnon:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? Number.NaN);
/** What V8's young generation holds in memory now (KiB). */
const youngKiB = () =>
  getHeapSpaceStatistics()
    .filter((space) => space.space_name === 'new_space')
    .reduce((n, space) => n + space.physical_space_size / 1024, 0);

const open: Array<tls.TLSSocket | ImapFlow> = [];
let resumed = 0;
/** The newest TLS session the server gave (tls-resumed offers it). */
let session: Buffer | undefined;
const stack = stackEnv();
const context = tls.createSecureContext({ ca: readFileSync(stack.VMSYNC_IMAP_TLS_CA) });
const connector = new ImapConnector(loadMailDomains(writeTestDomainsFile(stack)), {
  login: { ratePerSecond: 1_000, burst: 1_000 },
  keepAliveMs: 300_000,
});
// Everything loaded and warmed by one connection of the kind, not counted.
await connectOne(kind, FIRST_USER + N);
await settle();
const rssBefore = rssKiB();
const youngBefore = youngKiB();
const heapBefore = process.memoryUsage().heapUsed;
resumed = 0;
for (let i = 0; i < N; i += 25) {
  await Promise.all(
    Array.from({ length: Math.min(25, N - i) }, (_, j) => connectOne(kind, FIRST_USER + i + j)),
  );
}
await new Promise((r) => setTimeout(r, 2_000));
await settle();
const rssGrowth = rssKiB() - rssBefore;
const youngGrowth = youngKiB() - youngBefore;
const measured: Measured = {
  kind,
  connections: N,
  rssKiBPerConnection: (rssGrowth - youngGrowth) / N,
  rssWithYoungGenerationKiBPerConnection: rssGrowth / N,
  youngGenerationGrowthMiB: youngGrowth / 1024,
  heapKiBPerConnection: (process.memoryUsage().heapUsed - heapBefore) / 1024 / N,
  resumed,
};
console.log(JSON.stringify(measured));
process.exit(0);

async function connectOne(k: Kind, user: number): Promise<void> {
  if (k === 'vmsync-idle') {
    const client = await connector.connect(`user${user}@example.test`);
    const socket = (client as unknown as { socket: tls.TLSSocket }).socket;
    if (socket.isSessionReused()) resumed++;
    await client.mailboxOpen('INBOX', { readOnly: true });
    void client.idle().catch(() => undefined);
    open.push(client);
    return;
  }
  const socket = tls.connect({
    host: stack.VMSYNC_IMAP_HOST,
    port: Number(stack.VMSYNC_IMAP_PORT),
    servername: stack.VMSYNC_IMAP_SERVERNAME,
    secureContext: context,
    ...(k === 'tls-resumed' && session ? { session } : {}),
  });
  socket.on('session', (s: Buffer) => {
    session = s;
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('data', () => resolve());
    socket.once('error', reject);
  });
  if (socket.isSessionReused()) resumed++;
  if (k === 'tls-exchanged') {
    socket.write('a NOOP\r\n');
    await new Promise<void>((resolve) => socket.once('data', () => resolve()));
  }
  open.push(socket);
}
