/**
 * Benchmark of the email side: one email-watcher process against the local Dovecot (shaped
 * as NOTES.md "Many mailboxes on one Dovecot" says), on the real stack:
 *   1. setup (not timed): BENCH_MAILBOXES mailboxes emptied and given BENCH_NOTIFICATIONS
 *      Asterisk-style notifications each (master user APPEND), declared on a fresh topic;
 *   2. connect + snapshot + idle: process start -> every mailbox's snapshot on Kafka and
 *      every mailbox `watching`;
 *   3. change latency: the user toggles \Seen; Dovecot's own IDLE notification to a second
 *      client vs the `email-changed` event on Kafka; "published after Dovecot's notification";
 *   4. idle traffic between the watcher and Dovecot (tcpdump on lo, and ss per socket): on
 *      the wire, as TLS records, and as IMAP (the records' contents);
 *   5. memory per watched mailbox (anonymous RSS with the mailboxes minus with none, less
 *      the growth of V8's young generation, from a diagnostic report on SIGWINCH);
 *   6. restart: the watcher started again on the same deployment, until all watch again;
 *   7. memory per added mailbox: a new watcher with half the mailboxes, then all; the growth
 *      of anonymous RSS (less the young generation) per added mailbox, fixed costs apart.
 * Prints a table and writes .bench/email-side.json. Not a test: nothing asserts.
 *
 * Knobs (env): BENCH_MAILBOXES (1000), BENCH_NOTIFICATIONS (5), BENCH_SAMPLES (200),
 * BENCH_IDLE_SECONDS (120), BENCH_FIRST_USER (41: users 1-40 belong to the integration
 * tests, which may run meanwhile), BENCH_LOGIN_RATE (the watcher's default, 200/s per domain,
 * burst 50), BENCH_KEEPALIVE_MS, BENCH_POLL_INTERVAL_MS and BENCH_IDLE_RENEW_MS (the watcher's
 * defaults, 300 s, 20 min and 24 min; a short renewal shows its bytes in the idle window),
 * BENCH_MAX_LOAD (1.0: wait for a calm machine before measuring), BENCH_RESTART (1: 0 skips
 * step 6, the watcher restarted on the same deployment, without and with shared tokens),
 * BENCH_SLOPE (1: 0 skips step 7). Diagnostics: BENCH_CPU_PROF=1
 * (V8 CPU profile of the watcher, summarized), BENCH_HEAP_SNAPSHOT=1 (heap snapshots with no
 * mailboxes and with all, after the measurements; BENCH_KEEP_HEAP=1 keeps the files), BENCH_WATCHER_NODE_FLAGS (experiments).
 * The idle window's capture stays in .bench/email-side-idle.pcap (+ -ports.json).
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createKafka, createPublisher, ensureTopics } from '@vmsync/bus';
import { topicNames } from '@vmsync/events';
import { DeploymentClock, Store } from '@vmsync/store';
import { ServiceProcess, uniqueName } from '@vmsync/testkit';
// Not dependencies of @vmsync/bench: taken by path, the way the integration tests use them.
import {
  declareMailboxes,
  type MailboxSession,
  mailboxesTopicSpec,
} from '../../../libs/imap-mailbox/src/index.js';
import {
  PBX_SENDER,
  stackEnv,
  TestMailbox,
  writeTestDomainsFile,
} from '../../../libs/imap-mailbox/src/testing/index.js';
import { cpuByGroup, cpuShare, stackPid } from './cpu-groups.js';
import {
  type CpuProfile,
  cpuProfileSummary,
  type HeapSnapshot,
  heapSnapshotSummary,
} from './cpuprofile.js';
import {
  keepaliveProbeRate,
  machineJiffies,
  parseSs,
  processTicks,
  rssAnonBytes,
  type SsSocket,
  sumPcap,
  vmRssBytes,
} from './probes.js';
import { type Summary, summarize } from './stats.js';

type ImapFlow = MailboxSession['client'];
const { ImapFlow } = createRequire(
  new URL('../../../libs/imap-mailbox/package.json', import.meta.url),
)('imapflow') as { ImapFlow: new (options: Record<string, unknown>) => ImapFlow };

const intEnv = (name: string, fallback: number) => {
  const v = Number(process.env[name] ?? fallback);
  if (!Number.isFinite(v) || v < 0) throw new Error(`${name} must be a number`);
  return v;
};
const MAILBOXES = intEnv('BENCH_MAILBOXES', 1000);
const PER_MAILBOX = intEnv('BENCH_NOTIFICATIONS', 5);
const SAMPLES = intEnv('BENCH_SAMPLES', 200);
// A whole period of Dovecot's "* OK Still here" (2 min, sent to every hibernated client at
// once): a shorter window over- or understates the idle rate by its burst.
const IDLE_SECONDS = intEnv('BENCH_IDLE_SECONDS', 120);
const FIRST_USER = intEnv('BENCH_FIRST_USER', 41);
const DEFAULT_LOGIN_RATE = 200;
const DEFAULT_LOGIN_BURST = 50;
const LOGIN_RATE = intEnv('BENCH_LOGIN_RATE', DEFAULT_LOGIN_RATE);
const KEEPALIVE_MS = intEnv('BENCH_KEEPALIVE_MS', 300_000);
const MAX_LOAD = intEnv('BENCH_MAX_LOAD', 1);
const CPU_PROF = process.env.BENCH_CPU_PROF === '1';
const HEAP_SNAPSHOT = process.env.BENCH_HEAP_SNAPSHOT === '1';
const RESTART = process.env.BENCH_RESTART !== '0';
const SLOPE = process.env.BENCH_SLOPE !== '0';
const FILL_CONCURRENCY = 16;
const PARTITIONS = 6;
const IMAP_PORT = 10993;
const DEFAULT_POLL_MS = 1_200_000;
const POLL_MS = intEnv('BENCH_POLL_INTERVAL_MS', DEFAULT_POLL_MS);
/** The watcher's default IDLE renewal (VMSYNC_IMAP_IDLE_RENEW_MS); shorter to see some in the window. */
const DEFAULT_RENEW_MS = 1_440_000;
const RENEW_MS = intEnv('BENCH_IDLE_RENEW_MS', DEFAULT_RENEW_MS);
/** Experiments only: more node flags for the watcher, e.g. an --import that patches it. */
const EXTRA_NODE_FLAGS = (process.env.BENCH_WATCHER_NODE_FLAGS ?? '').split(' ').filter(Boolean);
const TARGETS = {
  connectMs: 10_000,
  publishedAfterDovecotP99Ms: 50,
  wireBytesPerSec: 3_000,
  payloadBytesPerSec: 200,
  rssPerMailboxBytes: 64 * 1024,
};

if (!process.env.VMSYNC_KAFKA_BROKERS || !process.env.VMSYNC_REDIS_URL) {
  throw new Error('run through ./vmsync bench email-side');
}
const ROOT = process.cwd();
const STACK_DIR = process.env.VMSYNC_STACK_DIR ?? join(ROOT, '.stack');
const OUT_DIR = join(ROOT, '.bench');
const PROF_DIR = join(OUT_DIR, 'email-side-cpuprof');
const HEAP_DIR = join(OUT_DIR, 'email-side-heap');
const REPORT_DIR = join(OUT_DIR, 'email-side-reports');
const log = (msg: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${msg}`);
const round = (x: number, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits;

// ---------------------------------------------------------------- the stack and Dovecot

/** The highest n of user<n>@ the stack knows (token endpoint and Dovecot share the list). */
function stackUsers(): number {
  const list = readFileSync(join(STACK_DIR, 'google/mailboxes.txt'), 'utf8');
  return Math.max(0, ...[...list.matchAll(/^user(\d+)@/gm)].map((m) => Number(m[1])));
}

const lastUser = FIRST_USER + MAILBOXES - 1;
if (stackUsers() < lastUser) {
  log(`stack: growing to ${lastUser} users (Dovecot and the token endpoint reload in place)`);
  const r = spawnSync('bash', ['scripts/stack.sh', 'up'], {
    cwd: ROOT,
    stdio: 'inherit',
    env: { ...process.env, VMSYNC_STACK_USERS: String(lastUser) },
  });
  if (r.status !== 0) throw new Error('scripts/stack.sh up failed');
}
const stack = stackEnv();
const dovecotConf = readFileSync(join(STACK_DIR, 'dovecot/dovecot.conf'), 'utf8');
const confValue = (re: RegExp) => re.exec(dovecotConf)?.[1] ?? null;
const usersPasswd = readFileSync(join(STACK_DIR, 'dovecot/users.passwd'), 'utf8');
const dovecot = {
  userdb: confValue(/userdb\s*\{\s*driver\s*=\s*(\S+)/),
  distinctUids: new Set(
    usersPasswd
      .split('\n')
      .filter(Boolean)
      .map((l) => l.split(':')[2]),
  ).size,
  imapHibernateTimeout: confValue(/^\s*imap_hibernate_timeout\s*=\s*(\S+)/m),
  defaultClientLimit: Number(confValue(/^default_client_limit\s*=\s*(\d+)/m)),
  imapProcessLimit: Number(
    confValue(/service imap \{[^}]*?process_limit\s*=\s*(\d+)/s) ?? Number.NaN,
  ),
  idleNotifyInterval: confValue(/^\s*imap_idle_notify_interval\s*=\s*(\S+)/m) ?? '2 mins (default)',
};
const needClients = MAILBOXES + 2 * Math.min(SAMPLES, MAILBOXES) + 20;
const dovecotOk =
  dovecot.userdb === 'passwd-file' &&
  dovecot.distinctUids >= lastUser &&
  dovecot.imapHibernateTimeout !== null &&
  dovecot.defaultClientLimit >= needClients &&
  dovecot.imapProcessLimit >= needClients;
log(
  `dovecot: userdb ${dovecot.userdb} (${dovecot.distinctUids} uids), imap_hibernate_timeout ${dovecot.imapHibernateTimeout}, client limit ${dovecot.defaultClientLimit}, imap process_limit ${dovecot.imapProcessLimit}${dovecotOk ? '' : '  <-- NOT as NOTES.md says for many mailboxes'}`,
);

// Others share this Dovecot: a reload (SIGHUP, e.g. `stack.sh up` with more users) drops
// every hibernated session, a restart every session. Both are looked for in its log.
const DOVECOT_LOG = join(STACK_DIR, 'dovecot/dovecot.log');
const dovecotLogStart = statSync(DOVECOT_LOG).size;
const phases: Record<string, [number, number]> = {};
function dovecotDisturbances(): { at: string; event: string; phases: string[] }[] {
  const text = readFileSync(DOVECOT_LOG).subarray(dovecotLogStart).toString('utf8');
  return [
    ...text.matchAll(
      /^(\S+ \S+) master: \w+: (SIGHUP received|Dovecot .* starting up|Killed with signal \d+)/gm,
    ),
  ].map((m) => {
    const at = new Date((m[1] as string).replace(' ', 'T')).getTime();
    return {
      at: m[1] as string,
      event: (m[2] as string).replace(/ \(.*/, ''),
      phases: Object.entries(phases)
        .filter(([, [from, to]]) => at >= from - 1_000 && at <= to + 1_000)
        .map(([name]) => name),
    };
  });
}

const caPem = readFileSync(stack.VMSYNC_IMAP_TLS_CA, 'utf8');
/** The user's (or an observer's) own connection: Dovecot's master user, no auto-IDLE. */
async function masterConnection(account: string): Promise<ImapFlow> {
  const client = new ImapFlow({
    host: stack.VMSYNC_IMAP_HOST,
    port: Number(stack.VMSYNC_IMAP_PORT),
    secure: true,
    servername: stack.VMSYNC_IMAP_SERVERNAME,
    tls: { ca: [caPem] },
    auth: {
      user: `${account}${stack.VMSYNC_IMAP_MASTER_SEPARATOR}${stack.VMSYNC_IMAP_MASTER_USER}`,
      pass: stack.VMSYNC_IMAP_MASTER_PASSWORD,
    },
    logger: false,
    disableAutoIdle: true,
  });
  client.on('error', () => {});
  await client.connect();
  return client;
}

async function pool<T>(items: readonly T[], n: number, fn: (item: T) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(n, items.length) }, async () => {
      for (;;) {
        const i = next++;
        if (i >= items.length) return;
        await fn(items[i] as T);
      }
    }),
  );
}

/** A small seeded PRNG (mulberry32): the same samples on every run. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// ---------------------------------------------------------------- /proc and the wire

/** The pid of the watcher started with this (unique) deployment. */
function pidOfDeployment(deployment: string): number {
  const mark = `VMSYNC_DEPLOYMENT=${deployment}\0`;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (!cmdline.includes('services/email-watcher/src/main.ts')) continue;
      if (`${readFileSync(`/proc/${entry}/environ`, 'utf8')}\0`.includes(mark))
        return Number(entry);
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  throw new Error(`no email-watcher process with VMSYNC_DEPLOYMENT=${deployment}`);
}
const median = (xs: readonly number[]) =>
  [...xs].sort((a, b) => a - b)[xs.length >> 1] ?? Number.NaN;
const rssOf = (pid: number) => vmRssBytes(readFileSync(`/proc/${pid}/status`, 'utf8'));
const anonOf = (pid: number) => rssAnonBytes(readFileSync(`/proc/${pid}/status`, 'utf8'));
const ticksOf = (pid: number) => processTicks(readFileSync(`/proc/${pid}/stat`, 'utf8'));
const machineNow = () => machineJiffies(readFileSync('/proc/stat', 'utf8'));
const TICKS_PER_SEC = 100;

/** The watcher's sockets to Dovecot, per `ss` (one line per socket, tcp_info included). */
function watcherSockets(pid: number): SsSocket[] {
  const r = spawnSync('ss', ['-tinpoH', `( dport = :${IMAP_PORT} )`], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ss failed: ${r.stderr}`);
  return parseSs(r.stdout).filter((s) => s.pids.includes(pid) && s.peerPort === IMAP_PORT);
}

function hasTcpdump(): boolean {
  return spawnSync('tcpdump', ['--version'], { encoding: 'utf8' }).status === 0;
}

async function startCapture(file: string): Promise<ChildProcess> {
  // Whole segments: frame lengths come from the pcap record, payload from IP/TCP, and the
  // IMAP bytes from the TLS records' headers, which may sit anywhere in a segment.
  const child = spawn(
    'tcpdump',
    ['-i', 'lo', '-n', '-s', '0', '-w', file, `tcp port ${IMAP_PORT}`],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let err = '';
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`tcpdump did not start: ${err}`)), 10_000);
    child.stderr?.on('data', (d: Buffer) => {
      err += d.toString();
      if (err.includes('listening on')) {
        clearTimeout(t);
        resolve();
      }
    });
    child.once('exit', (code) => reject(new Error(`tcpdump exited (${code}): ${err}`)));
  });
  return child;
}

async function stopCapture(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGINT');
  await Promise.race([exited, sleep(5_000)]);
}

/** Waits (up to `maxMs`) for the 1-minute load average to fall to MAX_LOAD. */
async function calm(what: string, maxMs = 120_000): Promise<number[]> {
  const until = Date.now() + maxMs;
  let said = false;
  const load1 = () => loadavg()[0] ?? 0;
  while (load1() > MAX_LOAD && Date.now() < until) {
    if (!said) log(`load ${load1().toFixed(2)} > ${MAX_LOAD}: waiting before ${what}...`);
    said = true;
    await sleep(5_000);
  }
  return loadavg().map((x) => round(x, 2));
}

/** A service's log lines from `from` on, parsed (lines that are not JSON skipped); `next`: where to go on. */
function logsSince(service: ServiceProcess, from: number): { logs: LogLine[]; next: number } {
  const logs: LogLine[] = [];
  const next = service.lines.length;
  for (let i = from; i < next; i++) {
    try {
      logs.push(JSON.parse(service.lines[i] as string) as LogLine);
    } catch {
      // not a log line
    }
  }
  return { logs, next };
}

// ---------------------------------------------------------------- setup

const loadAtStart = loadavg().map((x) => round(x, 2));
const accounts = Array.from({ length: MAILBOXES }, (_, i) => `user${FIRST_USER + i}@example.test`);
log(
  `setup: emptying and filling ${MAILBOXES} mailboxes (user${FIRST_USER}..user${lastUser}) with ${PER_MAILBOX} notifications each...`,
);
const fillStarted = performance.now();
let filled = 0;
await pool(accounts, FILL_CONCURRENCY, async (account) => {
  for (let attempt = 1; ; attempt++) {
    try {
      const mailbox = await TestMailbox.open(stack, account);
      try {
        await mailbox.reset();
        for (let i = 0; i < PER_MAILBOX; i++) {
          await mailbox.deliver({ callerId: String(2000 + i), callerName: `Caller ${i}` });
        }
      } finally {
        await mailbox.close();
      }
      break;
    } catch (error) {
      if (attempt >= 3) throw error;
      await sleep(500 * attempt);
    }
  }
  if (++filled % 250 === 0) log(`  ${filled}/${MAILBOXES}`);
});
const fillMs = Math.round(performance.now() - fillStarted);
log(`setup: filled in ${(fillMs / 1000).toFixed(1)} s`);

const kafka = createKafka({ brokers: stack.VMSYNC_KAFKA_BROKERS.split(','), clientId: 'bench' });
const redis = new Store({ url: stack.VMSYNC_REDIS_URL, prefix: 'bench' });
await redis.connect();
const clock = new DeploymentClock(redis.redis);
await clock.start();
const publisher = createPublisher(kafka);
await publisher.connect();
const domainsFile = writeTestDomainsFile(stack);

function watcherEnv(prefix: string, deployment: string): Record<string, string> {
  return {
    VMSYNC_KAFKA_BROKERS: stack.VMSYNC_KAFKA_BROKERS,
    VMSYNC_REDIS_URL: stack.VMSYNC_REDIS_URL,
    VMSYNC_DEPLOYMENT: deployment,
    VMSYNC_TOPIC_PREFIX: prefix,
    VMSYNC_PARTITIONS: String(PARTITIONS),
    VMSYNC_MAIL_DOMAINS_FILE: domainsFile,
    VMSYNC_PBX_SENDERS: PBX_SENDER,
    VMSYNC_IMAP_LOGIN_RATE: String(LOGIN_RATE),
    VMSYNC_IMAP_LOGIN_BURST: String(
      LOGIN_RATE === DEFAULT_LOGIN_RATE
        ? DEFAULT_LOGIN_BURST
        : Math.max(DEFAULT_LOGIN_BURST, Math.round(LOGIN_RATE)),
    ),
    VMSYNC_IMAP_KEEPALIVE_MS: String(KEEPALIVE_MS),
    VMSYNC_EMAIL_POLL_INTERVAL_MS: String(POLL_MS),
    VMSYNC_IMAP_IDLE_RENEW_MS: String(RENEW_MS),
    VMSYNC_LOG_LEVEL: 'info',
    OTEL_TRACES_EXPORTER: 'none',
    OTEL_METRICS_EXPORTER: 'none',
    OTEL_LOGS_EXPORTER: 'none',
  };
}

// The baseline: a watcher with no mailboxes at all (its own empty topic), for memory.
if (HEAP_SNAPSHOT) {
  await rm(HEAP_DIR, { recursive: true, force: true });
  await mkdir(HEAP_DIR, { recursive: true });
}
await rm(REPORT_DIR, { recursive: true, force: true });
await mkdir(REPORT_DIR, { recursive: true });
// A diagnostic report on SIGWINCH: how much of the RSS is V8's young generation.
const heapFlags = [
  '--report-on-signal',
  '--report-signal=SIGWINCH',
  `--report-directory=${REPORT_DIR}`,
  ...(HEAP_SNAPSHOT ? ['--heapsnapshot-signal=SIGUSR2', `--diagnostic-dir=${HEAP_DIR}`] : []),
];

/**
 * The memory V8's young generation holds in a watcher we started (its diagnostic report's
 * new_space committedMemory, i.e. physical pages). It grows with the rate of allocation, up
 * to twice --max-semi-space-size (16 MiB by default), whatever the number of mailboxes: a
 * fixed cost of a busy process that the per-mailbox figure leaves out. NaN if no report came.
 */
async function youngGenerationOf(pid: number): Promise<number> {
  const before = new Set(readdirSync(REPORT_DIR));
  process.kill(pid, 'SIGWINCH');
  for (let i = 0; i < 100; i++) {
    await sleep(100);
    const f = readdirSync(REPORT_DIR).find((n) => n.endsWith('.json') && !before.has(n));
    if (!f) continue;
    try {
      const report = JSON.parse(await readFile(join(REPORT_DIR, f), 'utf8')) as {
        javascriptHeap: { heapSpaces: Record<string, { committedMemory: number }> };
      };
      await rm(join(REPORT_DIR, f));
      return report.javascriptHeap.heapSpaces.new_space?.committedMemory ?? Number.NaN;
    } catch {
      // still being written
    }
  }
  return Number.NaN;
}
// With diagnostics the process is started here, with node's flags (--cpu-prof is not
// allowed in NODE_OPTIONS); otherwise as every bench and test starts a service.
const nodeFlags = [
  ...(CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${PROF_DIR}`] : []),
  ...heapFlags,
  ...EXTRA_NODE_FLAGS,
];

/** A heap snapshot of a watcher we started (SIGUSR2), summarized; null if none came. */
async function heapOf(pid: number): Promise<ReturnType<typeof heapSnapshotSummary> | null> {
  const before = new Set(readdirSync(HEAP_DIR));
  process.kill(pid, 'SIGUSR2');
  // Written as Heap.<date>.<pid>...heapsnapshot: done when its size stops moving.
  let size = -1;
  for (let i = 0; i < 240; i++) {
    await sleep(1_000);
    const f = readdirSync(HEAP_DIR).find((n) => n.endsWith('.heapsnapshot') && !before.has(n));
    if (!f) continue;
    const now = statSync(join(HEAP_DIR, f)).size;
    if (now === size && now > 0) {
      const text = await readFile(join(HEAP_DIR, f), 'utf8');
      // BENCH_KEEP_HEAP=1 leaves the snapshots for a closer look (Chrome DevTools).
      if (!process.env.BENCH_KEEP_HEAP) await rm(join(HEAP_DIR, f));
      return heapSnapshotSummary(JSON.parse(text) as HeapSnapshot, 20);
    }
    size = now;
  }
  return null;
}

const heapAtBaseline: { summary: ReturnType<typeof heapSnapshotSummary> | null } = {
  summary: null,
};
/**
 * Anonymous RSS and V8's young generation once the process has settled: after a connect
 * burst its garbage and the allocator's freed pages go back over a minute or two (read 30 s
 * after the connects, 1000 mailboxes showed 219 MiB; the same, minutes later, 173). Sampled
 * every 5 s from 60 s on, until the last 30 s move by less than 2 % (at most 4 min): their
 * median.
 */
async function settledMemory(pid: number): Promise<{ anon: number; young: number }> {
  const samples: number[] = [];
  const started = Date.now();
  for (;;) {
    await sleep(5_000);
    samples.push(anonOf(pid));
    const last = samples.slice(-6);
    const settled =
      Date.now() - started >= 60_000 &&
      last.length === 6 &&
      Math.max(...last) - Math.min(...last) < 0.02 * Math.min(...last);
    if (settled || Date.now() - started > 240_000) {
      return { anon: median(last), young: await youngGenerationOf(pid) };
    }
  }
}

async function baselineRss(): Promise<number> {
  const deployment = uniqueName('bench-email0').toLowerCase();
  const env0 = watcherEnv(`${uniqueName('bench-email0')}.`, deployment);
  const empty = new ServiceProcess('email-watcher', env0, heapFlags);
  await empty.start(60_000);
  const pid = pidOfDeployment(deployment);
  // Settled: read soon after start, the garbage of loading its modules was counted in.
  const { anon, young } = await settledMemory(pid);
  youngAtBaseline = young;
  if (HEAP_SNAPSHOT) heapAtBaseline.summary = await heapOf(pid);
  await empty.stop();
  return anon;
}
let youngAtBaseline = Number.NaN;
log('memory baseline: a watcher with no mailboxes...');
const rssBaseline = await baselineRss();
log(
  `memory baseline: ${(rssBaseline / 2 ** 20).toFixed(1)} MiB anonymous RSS, of which young generation ${(youngAtBaseline / 2 ** 20).toFixed(1)} MiB`,
);

/** A deployment of its own (topic prefix, name) with the topics a watcher reads and writes. */
async function newDeployment(name: string) {
  const prefix = `${uniqueName(name)}.`;
  const deployment = uniqueName(name).toLowerCase();
  const topics = topicNames(prefix);
  await ensureTopics(kafka, [
    mailboxesTopicSpec(topics, PARTITIONS),
    { topic: topics.emailChanged, partitions: PARTITIONS },
  ]);
  return { prefix, deployment, topics };
}
const { prefix, deployment, topics } = await newDeployment('bench-email');
await declareMailboxes(
  publisher,
  topics,
  accounts.map((account) => ({ account, server: 'pbx1' })),
  clock.now(),
);

// What arrives on email-changed: snapshots counted per account, changes kept for matching.
interface ChangeSeen {
  at: number;
  read: boolean;
  emailId: string;
}
const snapshots = new Map<string, number>();
let completeAccounts = 0;
let allSnapshotsAt = Number.NaN;
let snapshotEvents = 0;
const changeWaiters = new Map<string, (c: ChangeSeen) => void>();
const consumer = kafka.consumer({ groupId: uniqueName('bench-email-reader'), maxWaitTimeInMs: 5 });
await consumer.connect();
const joined = new Promise<void>((r) => consumer.on(consumer.events.GROUP_JOIN, () => r()));
await consumer.subscribe({ topics: [topics.emailChanged], fromBeginning: true });
await consumer.run({
  eachMessage: async ({ message }) => {
    const at = clock.now();
    if (message.value === null) return;
    const e = JSON.parse(message.value.toString('utf8')) as {
      type: string;
      payload: {
        ref: { account: string; emailId: string };
        phase: string;
        after: { read: boolean };
      };
    };
    if (e.type !== 'email-changed') return;
    const account = e.payload.ref.account;
    if (e.payload.phase === 'snapshot') {
      snapshotEvents++;
      const n = (snapshots.get(account) ?? 0) + 1;
      snapshots.set(account, n);
      if (n === PER_MAILBOX && ++completeAccounts === MAILBOXES) allSnapshotsAt = at;
    } else {
      changeWaiters.get(account)?.({
        at,
        read: e.payload.after.read,
        emailId: e.payload.ref.emailId,
      });
    }
  },
});
await joined;

// ---------------------------------------------------------------- 2. connect + snapshot + idle

const loadBeforeConnect = await calm('the connect measurement', 90_000);
log(
  `connect: one email-watcher, ${MAILBOXES} mailboxes x ${PER_MAILBOX} (load ${loadBeforeConnect.join(' ')})...`,
);
const env = watcherEnv(prefix, deployment);
if (CPU_PROF) await rm(PROF_DIR, { recursive: true, force: true });
const watcher = new ServiceProcess('email-watcher', env, nodeFlags);
const stackRoots = {
  dovecot: stackPid(STACK_DIR, 'dovecot'),
  tokenEndpoint: stackPid(STACK_DIR, 'google'),
  kafka: stackPid(STACK_DIR, 'kafka'),
  redis: stackPid(STACK_DIR, 'redis'),
  bench: process.pid,
};
const machineBefore = machineNow();
const cpuBefore = cpuByGroup(stackRoots);
const connectPhaseStart = Date.now();
const spawnedAt = clock.now();
const clockMinusDate = spawnedAt - Date.now();
await watcher.start(120_000);
const watcherPid = pidOfDeployment(deployment);

interface LogLine {
  time?: number;
  msg?: string;
  account?: string;
  err?: string;
  opsPort?: number;
  kind?: string;
}
let parsedLines = 0;
const watching = new Set<string>();
/** Mailboxes whose last word was a failure (reconnecting), until they watch again. */
const notWatching = new Set<string>();
let failuresAfterConnect = 0;
let connected = false;
let lastWatchingAt = Number.NaN;
let firstWatchingAt = Number.NaN;
let startedAt = Number.NaN;
let opsPort = 0;
const failures: { kind: string; err: string }[] = [];
/** Reads the watcher's new log lines (incrementally: parsing them all each time costs CPU). */
function readLogs(): void {
  const { logs, next } = logsSince(watcher, parsedLines);
  parsedLines = next;
  for (const l of logs) {
    const at = (l.time ?? Number.NaN) + clockMinusDate;
    if (l.msg === 'watching mailbox' && l.account !== undefined) {
      if (Number.isNaN(firstWatchingAt)) firstWatchingAt = at;
      if (!watching.has(l.account)) lastWatchingAt = at;
      watching.add(l.account);
      notWatching.delete(l.account);
    } else if (l.msg === 'email-watcher started') {
      startedAt = at;
      opsPort = l.opsPort ?? 0;
    } else if (l.msg === 'mailbox failed; retrying' || l.msg === 'mailbox needs admin action') {
      failures.push({ kind: l.kind ?? '?', err: l.err ?? '?' });
      if (l.account !== undefined) notWatching.add(l.account);
      if (connected) failuresAfterConnect++;
    }
  }
}
const connectDeadline = Date.now() + 300_000;
const cpuSamples: { at: number; watched: number; rss: number }[] = [];
while (watching.size < MAILBOXES || completeAccounts < MAILBOXES) {
  readLogs();
  if (Date.now() > connectDeadline) {
    throw new Error(
      `connect: only ${watching.size} watching and ${completeAccounts} complete snapshots after 300 s; failures: ${JSON.stringify(failures.slice(0, 5))}`,
    );
  }
  if (cpuSamples.length === 0 || Date.now() - (cpuSamples.at(-1)?.at ?? 0) >= 1_000) {
    cpuSamples.push({ at: Date.now(), watched: watching.size, rss: rssOf(watcherPid) });
  }
  await sleep(10);
}
readLogs();
connected = true;
phases.connect = [connectPhaseStart, Date.now()];
const connectFailures = failures.length;
const doneAt = Math.max(allSnapshotsAt, lastWatchingAt);
const connectMachine = machineNow();
const cpuConnect = cpuShare(cpuBefore, cpuByGroup({ ...stackRoots, watcher: watcherPid }));
const connectWatcherTicks = ticksOf(watcherPid);
const connectWallS = (clock.now() - spawnedAt) / 1000;
const connect = {
  mailboxes: MAILBOXES,
  notifications: MAILBOXES * PER_MAILBOX,
  snapshotEvents,
  processStartToAllIdleMs: Math.round(doneAt - spawnedAt),
  processStartToLastSnapshotOnKafkaMs: Math.round(allSnapshotsAt - spawnedAt),
  processStartToLastWatchingMs: Math.round(lastWatchingAt - spawnedAt),
  processStartToStartedLogMs: Math.round(startedAt - spawnedAt),
  processStartToFirstWatchingMs: Math.round(firstWatchingAt - spawnedAt),
  mailboxesPerSecondAfterFirst: round(
    (MAILBOXES - 1) / ((lastWatchingAt - firstWatchingAt) / 1000),
  ),
  failures: connectFailures,
  failureSamples: failures.slice(0, 3),
  watcherCpuPercentOfOneCore: round((100 * connectWatcherTicks) / TICKS_PER_SEC / connectWallS),
  machineCpuBusyPercent: round(
    (100 * (connectMachine.busy - machineBefore.busy)) /
      (connectMachine.total - machineBefore.total),
  ),
  cpuPercentOfOneCore: cpuConnect,
  loginRate: LOGIN_RATE,
  watchingOverTime: cpuSamples.map((s) => ({
    s: round((s.at - (spawnedAt - clockMinusDate)) / 1000),
    watching: s.watched,
    rssMiB: round(s.rss / 2 ** 20),
  })),
};
log(
  `connect: ${connect.processStartToAllIdleMs} ms to all ${MAILBOXES} snapshots on Kafka and watching (started log at ${connect.processStartToStartedLogMs} ms, first mailbox watching at ${connect.processStartToFirstWatchingMs} ms; watcher CPU ${connect.watcherCpuPercentOfOneCore} % of a core, machine ${connect.machineCpuBusyPercent} % busy; ${connectFailures} failures)`,
);

// ---------------------------------------------------------------- 3. change latency

interface Probe {
  account: string;
  user: ImapFlow;
  observer: ImapFlow;
  seen: Map<number, boolean>;
  onFlags: ((at: number) => void) | undefined;
}
const rnd = random(20_261_128);
const sampleAccounts = [...accounts];
for (let i = sampleAccounts.length - 1; i > 0; i--) {
  const j = Math.floor(rnd() * (i + 1));
  [sampleAccounts[i], sampleAccounts[j]] = [
    sampleAccounts[j] as string,
    sampleAccounts[i] as string,
  ];
}
// One mailbox per sample (as far as there are mailboxes): each change then meets idle,
// hibernated IDLE sessions, as a change in a quiet mailbox does.
const probeAccounts = sampleAccounts.slice(0, Math.min(SAMPLES, MAILBOXES));
log(
  `latency: opening the user's and an observer's connection to ${probeAccounts.length} mailboxes...`,
);
const probes: Probe[] = [];
await pool(probeAccounts, FILL_CONCURRENCY, async (account) => {
  const user = await masterConnection(account);
  await user.mailboxOpen('INBOX');
  const seen = new Map<number, boolean>();
  for (const m of await user.fetchAll('1:*', { uid: true, flags: true }, { uid: true })) {
    seen.set(m.uid, m.flags?.has('\\Seen') ?? false);
  }
  const observer = await masterConnection(account);
  await observer.mailboxOpen('INBOX', { readOnly: true });
  const probe: Probe = { account, user, observer, seen, onFlags: undefined };
  observer.on('flags', () => probe.onFlags?.(clock.now()));
  void observer.idle().catch(() => undefined);
  probes.push(probe);
});
// Dovecot hands an IDLE session to imap-hibernate after imap_hibernate_timeout (5 s).
await sleep(7_000);
const loadBeforeLatency = loadavg().map((x) => round(x, 2));
log(`latency: ${SAMPLES} \\Seen toggles (load ${loadBeforeLatency.join(' ')})...`);
const latencyPhaseStart = Date.now();
const dovecotMs: number[] = [];
const kafkaMs: number[] = [];
const afterDovecotMs: number[] = [];
const storeMs: number[] = [];
let missedDovecot = 0;
let missedKafka = 0;
const timeout = <T>(p: Promise<T>, ms: number) =>
  Promise.race([p, sleep(ms).then(() => undefined)]);
let skipped = 0;
for (let i = 0; i < SAMPLES; i++) {
  const probe = probes[i % probes.length] as Probe;
  readLogs();
  // Another user of the shared Dovecot may restart or reload it (a reload drops hibernated
  // sessions): such a sample measures a reconnect, not a change.
  if (!probe.user.usable || !probe.observer.usable || notWatching.has(probe.account)) {
    skipped++;
    continue;
  }
  const uids = [...probe.seen.keys()];
  const uid = uids[Math.floor(rnd() * uids.length)] as number;
  const wasSeen = probe.seen.get(uid) ?? false;
  const dovecotSaw = new Promise<number>((resolve) => {
    probe.onFlags = resolve;
  });
  const onKafka = new Promise<ChangeSeen>((resolve) => {
    changeWaiters.set(probe.account, (c) => {
      if (c.read === !wasSeen) resolve(c);
    });
  });
  const t0 = clock.now();
  try {
    if (wasSeen) await probe.user.messageFlagsRemove(String(uid), ['\\Seen'], { uid: true });
    else await probe.user.messageFlagsAdd(String(uid), ['\\Seen'], { uid: true });
  } catch {
    skipped++;
    changeWaiters.delete(probe.account);
    continue;
  }
  storeMs.push(clock.now() - t0);
  probe.seen.set(uid, !wasSeen);
  const [a, b] = await Promise.all([timeout(dovecotSaw, 10_000), timeout(onKafka, 15_000)]);
  probe.onFlags = undefined;
  changeWaiters.delete(probe.account);
  if (a === undefined) missedDovecot++;
  else dovecotMs.push(a - t0);
  if (b === undefined) missedKafka++;
  else kafkaMs.push(b.at - t0);
  if (a !== undefined && b !== undefined) afterDovecotMs.push(b.at - a);
  await sleep(20);
}
phases.latency = [latencyPhaseStart, Date.now()];
const latency = {
  samples: SAMPLES,
  mailboxes: probes.length,
  storeRoundTripMs: summarize(storeMs),
  storeToDovecotNotificationMs: summarize(dovecotMs),
  storeToEventOnKafkaMs: summarize(kafkaMs),
  publishedAfterDovecotNotificationMs: summarize(afterDovecotMs),
  minPublishedAfterDovecotMs: round(Math.min(...afterDovecotMs)),
  missedDovecot,
  missedKafka,
  skipped,
  publishedAfterDovecotRawMs: afterDovecotMs.map((x) => round(x)),
};
log(
  `latency: Dovecot's notification p50 ${latency.storeToDovecotNotificationMs.p50} ms, event on Kafka p50 ${latency.storeToEventOnKafkaMs.p50} ms, published after Dovecot p50/p99 ${latency.publishedAfterDovecotNotificationMs.p50}/${latency.publishedAfterDovecotNotificationMs.p99} ms`,
);
await pool(probes, FILL_CONCURRENCY, async (p) => {
  await Promise.all(
    [p.observer, p.user].map((c) =>
      Promise.race([c.logout(), sleep(2_000)])
        .catch(() => undefined)
        .finally(() => c.close()),
    ),
  );
});
await consumer.disconnect();

// ---------------------------------------------------------------- 4. idle traffic, 5. memory

// Everything quiet again (and hibernated) before the window.
await sleep(6_000);
const loadBeforeIdle = await calm('the idle window', 60_000);
const pcapFile = join(OUT_DIR, 'email-side-idle.pcap');
await mkdir(OUT_DIR, { recursive: true });
const capture = hasTcpdump() ? await startCapture(pcapFile) : null;
log(
  `idle: ${IDLE_SECONDS} s with ${MAILBOXES} mailboxes watched and nothing changing (${capture ? 'tcpdump on lo + ss' : 'ss only: no tcpdump (apt-get install -y tcpdump)'}; load ${loadBeforeIdle.join(' ')})...`,
);
const idlePhaseStart = Date.now();
const ssBefore = watcherSockets(watcherPid);
const idleT0 = performance.now();
const rssDuring: number[] = [];
const idleTicks0 = ticksOf(watcherPid);
for (let s = 0; s < IDLE_SECONDS; s++) {
  await sleep(Math.max(0, idleT0 + (s + 1) * 1000 - performance.now()));
  rssDuring.push(anonOf(watcherPid));
}
const ssAfter = watcherSockets(watcherPid);
const idleS = (performance.now() - idleT0) / 1000;
const idleCpuPercent = round((100 * (ticksOf(watcherPid) - idleTicks0)) / TICKS_PER_SEC / idleS, 2);
if (capture) await stopCapture(capture);
phases.idle = [idlePhaseStart, Date.now()];

// ss: TLS record bytes both ways; frames = segments x (14 B Ethernet + 20 B IP + 32 B TCP
// with timestamps) on top.
const HEADER_BYTES = 66;
const before = new Map(ssBefore.map((s) => [s.localPort, s]));
let ssPayload = 0;
let ssSegments = 0;
let ssSockets = 0;
const keepaliveTimers = ssAfter.filter((s) => s.timer === 'keepalive').length;
for (const s of ssAfter) {
  const b = before.get(s.localPort);
  if (!b) continue;
  ssSockets++;
  ssPayload += s.bytesAcked - b.bytesAcked + (s.bytesReceived - b.bytesReceived);
  ssSegments += s.segsOut - b.segsOut + (s.segsIn - b.segsIn);
}
const ssIdle = {
  sockets: ssSockets,
  socketsWithKeepaliveTimer: keepaliveTimers,
  payloadBytesPerSec: round(ssPayload / idleS),
  segmentsPerSec: round(ssSegments / idleS),
  wireBytesPerSecEstimate: round((ssPayload + ssSegments * HEADER_BYTES) / idleS),
};

// Dovecot's "* OK Still here" to an IDLE client: 17 B of IMAP, 39 B as a TLS 1.3 record.
const STILL_HERE_TLS_BYTES = 39;
const STILL_HERE_IMAP_BYTES = 17;
const stillHereS = /(\d+)\s*min/.test(dovecot.idleNotifyInterval)
  ? Number(/(\d+)\s*min/.exec(dovecot.idleNotifyInterval)?.[1]) * 60
  : 120;
let pcapIdle:
  | {
      frames: number;
      wireBytesPerSec: number;
      payloadBytesPerSec: number;
      imapBytesPerSec: number;
      unreadPayloadBytes: number;
      emptyFramesPerSec: number;
      keepaliveProbes: number;
      keepaliveWireBytesPerSec: number;
      stillHereRecords: number;
      socketsWithTraffic: number;
      socketsWithALook: number;
      perSocketPayloadBytes: Summary;
      perLook: { payloadBytes: number; imapBytes: number; wireBytes: number };
      steadyStateEstimate: {
        payloadBytesPerSec: number;
        imapBytesPerSec: number;
        wireBytesPerSec: number;
        parts: Record<
          string,
          { payloadBytesPerSec: number; imapBytesPerSec: number; wireBytesPerSec: number }
        >;
        note: string;
      };
      topSegmentSizes: string[];
    }
  | undefined;
if (capture) {
  const ports = new Set(ssBefore.map((s) => s.localPort));
  await writeFile(pcapFile.replace(/\.pcap$/, '-ports.json'), JSON.stringify([...ports]));
  const { total, perSocket, sizes } = sumPcap(
    await readFile(pcapFile),
    IMAP_PORT,
    ports,
    STILL_HERE_TLS_BYTES,
  );
  const bySocket = [...ports].map(
    (p) =>
      perSocket.get(p) ?? {
        port: p,
        frames: 0,
        frameBytes: 0,
        payloadBytes: 0,
        imapBytes: 0,
        keepaliveProbes: 0,
        marked: 0,
      },
  );
  // A "Still here" on the wire: its frame (payload + 66 B of headers) and the client's ACK.
  const stillHereWire = STILL_HERE_TLS_BYTES + 2 * HEADER_BYTES;
  const stillHereBytes = {
    payloadBytes: STILL_HERE_TLS_BYTES,
    imapBytes: STILL_HERE_IMAP_BYTES,
    frameBytes: stillHereWire,
  };
  type Part = keyof typeof stillHereBytes;
  const lookOnly = (s: (typeof bySocket)[number], k: Part) =>
    s[k] -
    s.marked * stillHereBytes[k] -
    (k === 'frameBytes' ? 2 * s.keepaliveProbes * HEADER_BYTES : 0);
  // A socket that carried vmsync's own traffic: an IDLE renewal (DONE, IDLE) or a periodic
  // check that had something to ask; everything else is Dovecot's "Still here" and probes.
  const looked = bySocket.filter((s) => lookOnly(s, 'payloadBytes') > 0);
  const avg = (k: Part) =>
    looked.length ? Math.round(looked.reduce((a, s) => a + lookOnly(s, k), 0) / looked.length) : 0;
  const perLook = {
    payloadBytes: avg('payloadBytes'),
    imapBytes: avg('imapBytes'),
    wireBytes: avg('frameBytes'),
  };
  const pollS = POLL_MS / 1000;
  // vmsync's own traffic while idle: with every notification in INBOX a periodic check asks
  // nothing (the IDLE goes on), so what is left is the IDLE renewal, at the product's
  // interval whatever this run used to see some.
  const renewS = DEFAULT_RENEW_MS / 1000;
  const probeRate = keepaliveProbeRate(renewS, stillHereS, KEEPALIVE_MS / 1000);
  const parts = {
    idleRenewals: {
      payloadBytesPerSec: round((MAILBOXES * perLook.payloadBytes) / renewS),
      imapBytesPerSec: round((MAILBOXES * perLook.imapBytes) / renewS),
      wireBytesPerSec: round((MAILBOXES * perLook.wireBytes) / renewS),
    },
    stillHere: {
      payloadBytesPerSec: round((MAILBOXES * STILL_HERE_TLS_BYTES) / stillHereS),
      imapBytesPerSec: round((MAILBOXES * STILL_HERE_IMAP_BYTES) / stillHereS),
      wireBytesPerSec: round((MAILBOXES * stillHereWire) / stillHereS),
    },
    keepalive: {
      payloadBytesPerSec: 0,
      imapBytesPerSec: 0,
      wireBytesPerSec: round(MAILBOXES * probeRate * 2 * HEADER_BYTES),
    },
  };
  pcapIdle = {
    frames: total.frames,
    wireBytesPerSec: round(total.frameBytes / idleS),
    payloadBytesPerSec: round(total.payloadBytes / idleS),
    imapBytesPerSec: round(total.imapBytes / idleS),
    unreadPayloadBytes: total.unreadBytes,
    emptyFramesPerSec: round(total.emptyFrames / idleS),
    keepaliveProbes: total.keepaliveProbes,
    // A probe and its ACK: two empty frames.
    keepaliveWireBytesPerSec: round((2 * total.keepaliveProbes * HEADER_BYTES) / idleS),
    stillHereRecords: sizes.get(`in:${STILL_HERE_TLS_BYTES}`) ?? 0,
    socketsWithTraffic: perSocket.size,
    socketsWithALook: looked.length,
    perSocketPayloadBytes: summarize(bySocket.map((s) => s.payloadBytes)),
    perLook,
    steadyStateEstimate: {
      payloadBytesPerSec: round(Object.values(parts).reduce((a, p) => a + p.payloadBytesPerSec, 0)),
      imapBytesPerSec: round(Object.values(parts).reduce((a, p) => a + p.imapBytesPerSec, 0)),
      wireBytesPerSec: round(Object.values(parts).reduce((a, p) => a + p.wireBytesPerSec, 0)),
      parts,
      note: `per mailbox: one IDLE renewal per ${renewS} s (VMSYNC_IMAP_IDLE_RENEW_MS default) at the bytes measured per renewal in the window (this run: every ${RENEW_MS / 1000} s; periodic checks every ${pollS} s, which ask nothing while every notification is in INBOX); Dovecot's "* OK Still here" every ${stillHereS} s (imap_idle_notify_interval; sent to all hibernated clients at once); a keepalive probe + ACK after each VMSYNC_IMAP_KEEPALIVE_MS of silence (simulated: ${round(probeRate * 3600, 0)} probes per connection per hour). The window itself held ${looked.length} connections with vmsync traffic${looked.length === 0 ? ': no renewal was seen, so renewals are not in this estimate (BENCH_IDLE_RENEW_MS=40000 measures them)' : ''}.`,
    },
    topSegmentSizes: [...sizes]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 12)
      .map(([k, n]) => `${k} B x${n}`),
  };
}
const idle = {
  seconds: round(idleS),
  watcherCpuPercentOfOneCore: idleCpuPercent,
  keepaliveMs: KEEPALIVE_MS,
  pollIntervalMs: POLL_MS,
  pcap: pcapIdle ?? null,
  ss: ssIdle,
  note: "IMAP payload = the IMAP protocol's own bytes between the watcher and Dovecot, read from the captured TLS records (each TLS 1.3 application-data record's length less 17 B of inner type and tag); '* OK Still here\\r\\n' is 17 B. TLS payload = TCP payload, i.e. the TLS records that carry IMAP (5 B header, type and 16 B tag each: a Still-here is 39 B). Wire = whole frames as captured on lo: 14 B Ethernet header + IP + TCP + payload (no preamble, FCS or gap).",
};

const rssWatching = rssDuring.length > 0 ? median(rssDuring) : anonOf(watcherPid);
const youngWatching = await youngGenerationOf(watcherPid);
const youngGrowth = youngWatching - youngAtBaseline;
const memory = {
  note: 'Anonymous RSS (RssAnon) of a watcher with the mailboxes minus one with none, per mailbox, less the growth of V8 young generation (a fixed cost of a busy process, at most twice --max-semi-space-size); perMailboxWithYoungGenerationKiB keeps it in.',
  rssBaselineMiB: round(rssBaseline / 2 ** 20),
  rssWatchingMiB: round(rssWatching / 2 ** 20),
  youngGenerationMiB: [round(youngAtBaseline / 2 ** 20), round(youngWatching / 2 ** 20)],
  rssWatchingMinMaxMiB: [
    // over the idle window; the figure is its median
    round(Math.min(...rssDuring) / 2 ** 20),
    round(Math.max(...rssDuring) / 2 ** 20),
  ],
  perMailboxKiB: round((rssWatching - rssBaseline - youngGrowth) / MAILBOXES / 1024),
  perMailboxWithYoungGenerationKiB: round((rssWatching - rssBaseline) / MAILBOXES / 1024),
};

const metrics = opsPort
  ? await fetch(`http://127.0.0.1:${opsPort}/metrics`)
      .then((r) => r.text())
      .catch(() => '')
  : '';
const metricWatching = Number(
  /vmsync_email_watcher_mailboxes\{state="watching"\}\s+(\d+)/.exec(metrics)?.[1] ?? Number.NaN,
);
const look = /vmsync_email_look_seconds_sum\s+(\S+)\s+vmsync_email_look_seconds_count\s+(\S+)/.exec(
  metrics,
);
const looks = look
  ? { count: Number(look[2]), meanMs: round((1000 * Number(look[1])) / Number(look[2])) }
  : null;
const loadAtEnd = loadavg().map((x) => round(x, 2));
const disturbances = dovecotDisturbances();
let heap: (ReturnType<typeof heapSnapshotSummary> & { rssAtSnapshotMiB: number }) | null = null;
if (HEAP_SNAPSHOT) {
  log('diagnostics: heap snapshot of the watcher (SIGUSR2)...');
  const rssAtSnapshot = rssOf(watcherPid);
  const h = await heapOf(watcherPid);
  if (h) heap = { ...h, rssAtSnapshotMiB: round(rssAtSnapshot / 2 ** 20) };
}
const exitCode = await watcher.stop();
let cpuProfile: {
  connect: ReturnType<typeof cpuProfileSummary>;
  whole: ReturnType<typeof cpuProfileSummary>;
} | null = null;
if (CPU_PROF) {
  // CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile: thread 0 is the main one (tsx's
  // module hooks run in a thread of their own).
  const f = readdirSync(PROF_DIR).find((n) => /\.\d+\.0\.\d+\.cpuprofile$/.test(n));
  if (f) {
    const profile = JSON.parse(await readFile(join(PROF_DIR, f), 'utf8')) as CpuProfile;
    cpuProfile = {
      connect: cpuProfileSummary(profile, 0, connect.processStartToAllIdleMs, 15),
      whole: cpuProfileSummary(profile, 0, Number.POSITIVE_INFINITY, 15),
    };
  }
}

// ---------------------------------------------------------------- 6. restart

/**
 * The watcher started again on the same deployment, as after a deploy or a crash: its
 * folder state and leases in Redis, and (VMSYNC_SHARE_ACCESS_TOKENS) the sealed access
 * tokens the first one minted. Time from process start until every mailbox watches again,
 * and who spent the CPU. Once with each process minting its own tokens, once sharing them.
 */
async function restartOnce(shareTokens: boolean) {
  await calm('the restart', 90_000);
  log(
    `restart: the watcher started again on the same deployment (${shareTokens ? 'tokens shared through Redis' : 'VMSYNC_SHARE_ACCESS_TOKENS=false'})...`,
  );
  const again = new ServiceProcess(
    'email-watcher',
    { ...env, VMSYNC_SHARE_ACCESS_TOKENS: String(shareTokens) },
    heapFlags,
  );
  const cpu0 = cpuByGroup(stackRoots);
  const startedAt = clock.now();
  const offset = startedAt - Date.now();
  await again.start(120_000);
  const pid = pidOfDeployment(deployment);
  const seen = new Set<string>();
  let parsed = 0;
  let last = Number.NaN;
  const deadline = Date.now() + 300_000;
  while (seen.size < MAILBOXES && Date.now() < deadline) {
    const { logs, next } = logsSince(again, parsed);
    parsed = next;
    for (const l of logs) {
      if (l.msg === 'watching mailbox' && l.account !== undefined && !seen.has(l.account)) {
        seen.add(l.account);
        last = (l.time ?? Number.NaN) + offset;
      }
    }
    await sleep(10);
  }
  const cpu = cpuShare(cpu0, cpuByGroup({ ...stackRoots, watcher: pid }));
  await again.stop();
  const result = {
    tokensShared: shareTokens,
    watching: seen.size,
    processStartToAllWatchingMs: Math.round(last - startedAt),
    cpuPercentOfOneCore: cpu,
  };
  log(
    `restart: ${result.watching}/${MAILBOXES} watching after ${result.processStartToAllWatchingMs} ms (% of one core: watcher ${cpu.watcher}, Dovecot ${cpu.dovecot}, token endpoint ${cpu.tokenEndpoint}; machine ${cpu.machineBusyOfAllCores} % busy)`,
  );
  return result;
}
const restarts = RESTART ? [await restartOnce(false), await restartOnce(true)] : [];

// ---------------------------------------------------------------- 7. memory per added mailbox

/**
 * What one more watched mailbox costs, the process's fixed costs apart: a watcher on a new
 * deployment given half the mailboxes, then the other half too (as when mailboxes are added
 * to voicemail.conf). Code, JIT, the Kafka and Redis clients and the heap its first connects
 * grew are in both readings; the growth between them, less V8's young generation, per added
 * mailbox.
 */
async function memorySlope() {
  await calm('the memory slope', 90_000);
  const half = Math.floor(MAILBOXES / 2);
  log(`memory slope: a new watcher with ${half} mailboxes, then ${MAILBOXES}...`);
  const {
    prefix: slopePrefix,
    deployment: slopeDeployment,
    topics: t,
  } = await newDeployment('bench-email-slope');
  const declare = (list: readonly string[]) =>
    declareMailboxes(
      publisher,
      t,
      list.map((account) => ({ account, server: 'pbx1' })),
      clock.now(),
    );
  await declare(accounts.slice(0, half));
  const w = new ServiceProcess(
    'email-watcher',
    watcherEnv(slopePrefix, slopeDeployment),
    heapFlags,
  );
  await w.start(120_000);
  const pid = pidOfDeployment(slopeDeployment);
  const seen = new Set<string>();
  let parsed = 0;
  const watchingAll = async (n: number) => {
    const deadline = Date.now() + 300_000;
    while (seen.size < n && Date.now() < deadline) {
      const { logs, next } = logsSince(w, parsed);
      parsed = next;
      for (const l of logs) if (l.msg === 'watching mailbox' && l.account) seen.add(l.account);
      await sleep(100);
    }
    if (seen.size < n) throw new Error(`memory slope: only ${seen.size} of ${n} watching`);
  };
  await watchingAll(half);
  const a = await settledMemory(pid);
  await declare(accounts.slice(half));
  await watchingAll(MAILBOXES);
  const b = await settledMemory(pid);
  await w.stop();
  const added = MAILBOXES - half;
  const result = {
    mailboxes: [half, MAILBOXES],
    anonMiB: [round(a.anon / 2 ** 20), round(b.anon / 2 ** 20)],
    youngGenerationMiB: [round(a.young / 2 ** 20), round(b.young / 2 ** 20)],
    perAddedMailboxKiB: round((b.anon - b.young - (a.anon - a.young)) / added / 1024),
    perAddedMailboxWithYoungGenerationKiB: round((b.anon - a.anon) / added / 1024),
  };
  log(
    `memory slope: anonymous RSS ${result.anonMiB.join(' -> ')} MiB (young generation ${result.youngGenerationMiB.join(' -> ')}): ${result.perAddedMailboxKiB} KiB per added mailbox (${result.perAddedMailboxWithYoungGenerationKiB} with the young generation)`,
  );
  return result;
}
const slope = SLOPE ? await memorySlope() : null;

// ---------------------------------------------------------------- figures, limits, table

const wire = pcapIdle?.wireBytesPerSec ?? ssIdle.wireBytesPerSecEstimate;
const payload = pcapIdle?.payloadBytesPerSec ?? ssIdle.payloadBytesPerSec;
const imapPayload = pcapIdle?.imapBytesPerSec;
const steady = pcapIdle?.steadyStateEstimate;
interface Row {
  figure: string;
  value: number;
  target: string;
  met: boolean | null;
}
const rows: Row[] = [
  {
    figure: `connect + snapshot + idle, ${MAILBOXES} x ${PER_MAILBOX} (ms)`,
    value: connect.processStartToAllIdleMs,
    target: `< ${TARGETS.connectMs}`,
    met: connect.processStartToAllIdleMs < TARGETS.connectMs,
  },
  ...(['p50', 'p95', 'p99'] as const).map((q) => ({
    figure: `published after Dovecot's notification ${q} (ms)`,
    value: latency.publishedAfterDovecotNotificationMs[q],
    target: q === 'p99' ? `<= ${TARGETS.publishedAfterDovecotP99Ms}` : '',
    met:
      q === 'p99'
        ? latency.publishedAfterDovecotNotificationMs.p99 <= TARGETS.publishedAfterDovecotP99Ms
        : null,
  })),
  {
    figure: `idle on the wire, ${round(idleS, 0)} s window (B/s)`,
    value: wire,
    target: `< ${TARGETS.wireBytesPerSec}`,
    met: wire < TARGETS.wireBytesPerSec,
  },
  ...(imapPayload === undefined
    ? []
    : [
        {
          figure: `idle IMAP payload (in TLS records), window (B/s)`,
          value: imapPayload,
          target: `< ${TARGETS.payloadBytesPerSec}`,
          met: imapPayload < TARGETS.payloadBytesPerSec,
        },
      ]),
  {
    // The TLS records themselves (framing and tags): the stricter reading of "payload".
    figure: `idle TLS payload, window (B/s)`,
    value: payload,
    target: '',
    met: null,
  },
  ...(steady
    ? [
        {
          figure: 'idle on the wire, steady state est. (B/s)',
          value: steady.wireBytesPerSec,
          target: `< ${TARGETS.wireBytesPerSec}`,
          met: steady.wireBytesPerSec < TARGETS.wireBytesPerSec,
        },
        {
          figure: 'idle IMAP payload, steady state est. (B/s)',
          value: steady.imapBytesPerSec,
          target: `< ${TARGETS.payloadBytesPerSec}`,
          met: steady.imapBytesPerSec < TARGETS.payloadBytesPerSec,
        },
        {
          figure: 'idle TLS payload, steady state est. (B/s)',
          value: steady.payloadBytesPerSec,
          target: '',
          met: null,
        },
      ]
    : []),
  {
    figure: 'RSS per watched mailbox (KiB)',
    value: memory.perMailboxKiB,
    target: `<= ${TARGETS.rssPerMailboxBytes / 1024}`,
    met: memory.perMailboxKiB * 1024 <= TARGETS.rssPerMailboxBytes,
  },
  ...(slope
    ? [
        {
          figure: `memory per added mailbox, ${slope.mailboxes.join(' -> ')} (KiB)`,
          value: slope.perAddedMailboxKiB,
          target: `<= ${TARGETS.rssPerMailboxBytes / 1024}`,
          met: slope.perAddedMailboxKiB * 1024 <= TARGETS.rssPerMailboxBytes,
        },
      ]
    : []),
  ...restarts.map((r) => ({
    figure: `restart: all watching again, tokens ${r.tokensShared ? 'shared' : 'minted'} (ms)`,
    value: r.processStartToAllWatchingMs,
    target: '',
    met: null,
  })),
];
const missed = (prefix: string) => rows.some((r) => r.figure.startsWith(prefix) && r.met === false);

const limits: string[] = [];
const defaultLoginFloorS = (MAILBOXES - DEFAULT_LOGIN_BURST) / DEFAULT_LOGIN_RATE;
if (defaultLoginFloorS * 1000 >= TARGETS.connectMs) {
  limits.push(
    `connect (config): the watcher's default login limiter (VMSYNC_IMAP_LOGIN_RATE ${DEFAULT_LOGIN_RATE}/s, burst ${DEFAULT_LOGIN_BURST}, one bucket for the whole process) alone makes ${MAILBOXES} mailboxes take >= ${defaultLoginFloorS.toFixed(0)} s; this run used ${LOGIN_RATE}/s. The same holds after every Dovecot reload, which drops all hibernated sessions.`,
  );
}
if (missed('connect')) {
  const cpu = connect.cpuPercentOfOneCore;
  const watcherCpuMsPerMailbox = round(
    (connect.watcherCpuPercentOfOneCore * connect.processStartToAllIdleMs) / 100 / MAILBOXES,
  );
  const hot = cpuProfile
    ? `${cpuProfile.connect.byOwner
        .slice(0, 7)
        .map((o) => `${o.name} ${o.percent} %`)
        .join(', ')}; top functions: ${cpuProfile.connect.byFunction
        .slice(0, 6)
        .map((o) => `${o.name} ${o.percent} %`)
        .join(', ')}`
    : undefined;
  limits.push(
    `connect (CPU): the machine was ${connect.machineCpuBusyPercent} % busy (${cpus().length} cores; % of one core: watcher ${cpu.watcher}, Dovecot ${cpu.dovecot}, Kafka ${cpu.kafka}, bench ${cpu.bench}, token endpoint ${cpu.tokenEndpoint}, kernel irq/softirq ${cpu.kernelIrqSoftirq}, other processes ${cpu.otherProcesses}). The watcher spends ~${watcherCpuMsPerMailbox} ms of CPU per mailbox: ${MAILBOXES} mailboxes need ~${round((watcherCpuMsPerMailbox * MAILBOXES) / 1000)} s of one core for it alone.${hot ? ` Its CPU profile while connecting (self time, of ${cpuProfile ? round(cpuProfile.connect.busyMs / 1000) : '?'} s busy): ${hot}.` : ' (BENCH_CPU_PROF=1 for its profile.)'} All ${MAILBOXES} watches start at once: the first is watching only after ${connect.processStartToFirstWatchingMs} ms.`,
  );
}
if (missed("published after Dovecot's notification p99")) {
  const slow = afterDovecotMs.filter((x) => x > 400).length;
  limits.push(
    `change latency: never less than ${latency.minPublishedAfterDovecotMs} ms after Dovecot's notification: the watcher looks on the first IDLE push (debounce 0) and look + publish add p50 ~${round(latency.publishedAfterDovecotNotificationMs.p50)} ms. ${slow} of ${afterDovecotMs.length} samples were > 400 ms: Dovecot delays IDLE notifications by 500 ms in a session that is not hibernated (imap_hibernate_timeout 5 s after the session's last command; a hibernated one is told in ~10-20 ms), and the watcher's session is awake for 5 s after each of its own looks (every ${POLL_MS / 1000} s, +-20 %).`,
  );
}
if (pcapIdle) {
  const st = pcapIdle.steadyStateEstimate;
  const kaQuiet = round((MAILBOXES * 2 * HEADER_BYTES) / (2 * 60));
  limits.push(
    `idle traffic: ${pcapIdle.socketsWithALook} of ${MAILBOXES} connections carried vmsync's own traffic in the window, ~${pcapIdle.perLook.imapBytes} B of IMAP, ${pcapIdle.perLook.payloadBytes} B of TLS payload (${pcapIdle.perLook.wireBytes} B on the wire) each: the IDLE renewal (DONE, IDLE; every ${RENEW_MS / 1000} s in this run, ${DEFAULT_RENEW_MS / 1000} s by default) — a periodic check (every ${POLL_MS / 1000} s +-20 % here) asks nothing while every notification is in INBOX, and the IDLE goes on. Steady state (IMAP / TLS payload / wire): renewals ${st.parts.idleRenewals?.imapBytesPerSec} / ${st.parts.idleRenewals?.payloadBytesPerSec} / ${st.parts.idleRenewals?.wireBytesPerSec} B/s; Dovecot's "* OK Still here" (every ${stillHereS} s, ${pcapIdle.stillHereRecords} in the window) ${st.parts.stillHere?.imapBytesPerSec} / ${st.parts.stillHere?.payloadBytesPerSec} / ${st.parts.stillHere?.wireBytesPerSec} B/s (imap_idle_notify_interval ${stillHereS / 60} min); TCP keepalive (${KEEPALIVE_MS / 1000} s): ${pcapIdle.keepaliveProbes} probes in the window (${pcapIdle.keepaliveWireBytesPerSec} B/s), ~${st.parts.keepalive?.wireBytesPerSec} B/s in steady state (a probe + ACK, 2 x 66 B, after each ${KEEPALIVE_MS / 1000} s of silence; the Still-here restarts the timer): ~${kaQuiet} B/s per ${MAILBOXES} if the server sent nothing for 2 min.`,
  );
}
if (missed('RSS')) {
  const base = heapAtBaseline.summary;
  const heapPerMailbox =
    heap && base ? (heap.totalBytes - base.totalBytes) / MAILBOXES / 1024 : null;
  const h =
    heap && heapPerMailbox !== null
      ? ` Heap snapshots (no mailboxes / ${MAILBOXES}): V8 heap ${round((base?.totalBytes ?? 0) / 2 ** 20)} -> ${round(heap.totalBytes / 2 ** 20)} MiB, i.e. ~${round(heapPerMailbox)} KiB per mailbox in JS objects and ~${round(memory.perMailboxKiB - heapPerMailbox)} KiB outside the V8 heap (OpenSSL state and buffers per TLS connection, TLSWrap and socket buffers, malloc fragmentation from connecting all at once; one SecureContext per domain is shared). Largest in the heap: ${heap.byName
          .slice(0, 5)
          .map((g) => `${g.name} ${round(g.bytes / 2 ** 20)} MiB/${g.count}`)
          .join(', ')}.`
      : ' (BENCH_HEAP_SNAPSHOT=1 splits it into V8 heap and the rest.)';
  limits.push(
    `memory: ${memory.perMailboxKiB} KiB per mailbox (anonymous RSS ${memory.rssBaselineMiB} -> ${memory.rssWatchingMiB} MiB, of which V8's young generation ${memory.youngGenerationMiB[0]} -> ${memory.youngGenerationMiB[1]} MiB: a fixed cost of a busy process, left out; ${memory.perMailboxWithYoungGenerationKiB} KiB per mailbox with it; VmRSS peak while connecting ${round(Math.max(...connect.watchingOverTime.map((w) => w.rssMiB)))} MiB).${h}`,
  );
}

const result = {
  date: new Date().toISOString(),
  machine: `${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB`,
  load: {
    atStart: loadAtStart,
    beforeConnect: loadBeforeConnect,
    beforeLatency: loadBeforeLatency,
    beforeIdle: loadBeforeIdle,
    atEnd: loadAtEnd,
  },
  config: {
    mailboxes: MAILBOXES,
    notificationsPerMailbox: PER_MAILBOX,
    users: `user${FIRST_USER}..user${lastUser}@example.test`,
    samples: SAMPLES,
    idleSeconds: IDLE_SECONDS,
    watcher: {
      VMSYNC_IMAP_LOGIN_RATE: LOGIN_RATE,
      VMSYNC_IMAP_KEEPALIVE_MS: KEEPALIVE_MS,
      VMSYNC_EMAIL_POLL_INTERVAL_MS: POLL_MS,
      VMSYNC_IMAP_IDLE_RENEW_MS: RENEW_MS,
      extraNodeFlags: EXTRA_NODE_FLAGS,
      partitions: PARTITIONS,
      cpuProfile: CPU_PROF ? PROF_DIR : null,
    },
  },
  dovecot: { ...dovecot, asNotesSay: dovecotOk },
  setup: { fillMs, fillConcurrency: FILL_CONCURRENCY },
  connect,
  latency,
  idle,
  memory,
  restarts,
  memorySlope: slope,
  watcherAtEnd: { metricWatching, looks, failuresAfterConnect, exitCode },
  dovecotDisturbances: disturbances,
  diagnostics: {
    cpuProfile,
    heap,
    heapBaseline: heapAtBaseline.summary,
    heapPerMailboxKiB:
      heap && heapAtBaseline.summary
        ? round((heap.totalBytes - heapAtBaseline.summary.totalBytes) / MAILBOXES / 1024)
        : null,
  },
  targets: rows,
  limits,
};
await writeFile(join(OUT_DIR, 'email-side.json'), `${JSON.stringify(result, null, 2)}\n`);

console.log(`\nemail side (${MAILBOXES} mailboxes, load at end ${loadAtEnd.join(' ')})`);
console.log(`${'figure'.padEnd(52)} ${'value'.padStart(9)}  ${'target'.padEnd(8)} met?`);
for (const r of rows) {
  console.log(
    `${r.figure.padEnd(52)} ${String(r.value).padStart(9)}  ${r.target.padEnd(8)} ${r.met === null ? '' : r.met ? 'yes' : 'NO'}`,
  );
}
console.log(
  `Dovecot's own notification p50/p99 ${latency.storeToDovecotNotificationMs.p50}/${latency.storeToDovecotNotificationMs.p99} ms; STORE -> event on Kafka p50/p99 ${latency.storeToEventOnKafkaMs.p50}/${latency.storeToEventOnKafkaMs.p99} ms`,
);
console.log(
  `idle (ss): ${ssIdle.payloadBytesPerSec} B/s payload, ~${ssIdle.wireBytesPerSecEstimate} B/s with headers; RSS ${memory.rssBaselineMiB} -> ${memory.rssWatchingMiB} MiB`,
);
for (const l of limits) console.log(`limit: ${l}`);
for (const d of disturbances.filter((x) => x.phases.length > 0)) {
  console.log(
    `WARNING: Dovecot ${d.event} at ${d.at}, during ${d.phases.join(', ')} (someone else's): run again`,
  );
}
console.log('written: .bench/email-side.json');

await publisher.disconnect();
clock.stop();
await redis.close();
process.exit(0);
