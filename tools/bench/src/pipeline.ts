/**
 * Benchmark of the whole local pipeline: the five services as processes against a spool
 * of BENCH_USERS users x BENCH_MESSAGES voicemails and their notification emails in the
 * local Dovecot, acted on from outside as the phone user and the mail user.
 *   1. start-up: first link of every pair; then a restart after ~5 % of the pairs were
 *      changed on each side while everything was stopped, until each change shows;
 *   2. sync latency under a steady rate of user actions (BENCH_RATES per second, each for
 *      BENCH_STEP_SECONDS): user action -> actuator's `command carried out` (end to end,
 *      wall clock of this host) and the actuator's own `latencyMs` (the pipeline's share);
 *   3. peak memory (VmHWM) of each service;
 *   4. a CDF chart of end-to-end latency per direction, .bench/pipeline-latency.png.
 * Prints a table and writes .bench/pipeline.json. Not a test: nothing asserts.
 * BENCH_CPU_PROF=1 runs each service under V8's CPU profiler and prints where its time
 * went in each phase (profiles kept in .bench/profiles/).
 * Users: user{BENCH_FIRST_USER}.. (default 1101, clear of the tests' 1-40 and of the
 * email-side benchmark's 41-1040); the stack is grown in place when it has too few.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { ServiceProcess, uniqueName } from '@vmsync/testkit';
import {
  type DemoContext,
  MailboxUser,
  PhoneUser,
  serviceEnv,
  setUp,
} from '../../demo/src/index.js';
import { cpuByGroup, cpuShare, stackPid } from './cpu-groups.js';
import { type CpuProfile, cpuProfileSummary } from './cpuprofile.js';
import { cdfChart } from './png-chart.js';
import { type Summary, summarize } from './stats.js';

const num = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const USERS = num('BENCH_USERS', 1000);
const PER_USER = num('BENCH_MESSAGES', 5);
const RATES = (process.env.BENCH_RATES ?? '20,50,100,200').split(',').map(Number);
const STEP_SECONDS = num('BENCH_STEP_SECONDS', 20);
const FIRST_USER = num('BENCH_FIRST_USER', 1101);
const CONCURRENCY = num('BENCH_CONCURRENCY', 24);
const CHANGED_SHARE = num('BENCH_CHANGED_SHARE', 0.05);
/** Each service under V8's CPU profiler: where its time went in each phase (self time). */
const CPU_PROF = process.env.BENCH_CPU_PROF === '1';
const SERVICES = [
  'rules',
  'voicemail-watcher',
  'voicemail-actuator',
  'email-watcher',
  'mail-actuator',
] as const;
const ROOT = process.cwd();
const OUT_DIR = join(ROOT, '.bench');
const STACK_DIR = process.env.VMSYNC_STACK_DIR ?? join(ROOT, '.stack');
const env = process.env as Record<string, string>;
if (!env.VMSYNC_KAFKA_BROKERS || !env.VMSYNC_IMAP_MASTER_USER)
  throw new Error('run through ./vmsync bench pipeline');

const t00 = Date.now();
const log = (msg: string) =>
  console.log(
    `[${new Date().toISOString().slice(11, 19)} +${((Date.now() - t00) / 1000).toFixed(0)}s] ${msg}`,
  );
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const load = () => loadavg().map((x) => Math.round(x * 100) / 100);

/** Runs `work` on every item, at most `limit` at once. */
async function pool<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await work(items[next++] as T);
    }),
  );
}

// ---------------------------------------------------------------- the stack's users

const lastUser = FIRST_USER + USERS - 1;
const stackUsers = () => {
  const list = readFileSync(join(STACK_DIR, 'google/mailboxes.txt'), 'utf8');
  return Math.max(0, ...[...list.matchAll(/^user(\d+)@/gm)].map((m) => Number(m[1])));
};
if (stackUsers() < lastUser) {
  log(`stack: growing to ${lastUser} users (Dovecot and the token endpoint reload in place)`);
  const r = spawnSync('bash', ['scripts/stack.sh', 'up'], {
    cwd: ROOT,
    stdio: 'inherit',
    env: { ...process.env, VMSYNC_STACK_USERS: String(lastUser) },
  });
  if (r.status !== 0) throw new Error('scripts/stack.sh up failed');
}

// ---------------------------------------------------------------- set-up (not timed)

interface Pair {
  user: number;
  msgId: string;
  messageId: string;
  emailId: string;
  heard: boolean;
  seen: boolean;
  lastActionAt: number;
  busy: boolean;
}

const root = join(OUT_DIR, 'pipeline-world');
log(
  `setup: spool and ${USERS} mailboxes (user${FIRST_USER}..user${lastUser}), ${PER_USER} voicemails + notifications each`,
);
const setupStarted = Date.now();
const ctx: DemoContext = await setUp(process.env, {
  root,
  first: FIRST_USER,
  users: USERS,
  attach: () => true,
  clearConcurrency: CONCURRENCY,
});
const phones = ctx.users.map((u) => new PhoneUser(ctx, u));
const pairs: Pair[] = [];
await pool(
  phones.map((p, i) => ({ p, i })),
  CONCURRENCY,
  async ({ p, i }) => {
    for (let k = 0; k < PER_USER; k++) {
      const v = await p.voicemail({
        caller: `Caller ${k}`,
        callerNum: `55501${String(k).padStart(2, '0')}`,
        signed: true,
        notify: false,
      });
      const messageId = await p.notify(v.message, true);
      pairs.push({
        user: i,
        msgId: v.message.msgId,
        messageId,
        emailId: '',
        heard: false,
        seen: false,
        lastActionAt: 0,
        busy: false,
      });
    }
  },
);
const byMsgId = new Map(pairs.map((p) => [p.msgId, p]));
log(`setup: ${pairs.length} pairs in ${((Date.now() - setupStarted) / 1000).toFixed(1)} s`);

const run = uniqueName('pipeline').toLowerCase();
const deployment = `bench-${run}`;
const svcEnv: Record<string, string> = {
  ...serviceEnv(ctx, process.env, run),
  VMSYNC_DEPLOYMENT: deployment,
  VMSYNC_TOPIC_PREFIX: `${deployment}.`,
  // the services' production defaults, not the demo's or the tests' short ones: a 1-2 s
  // email poll re-checks each of 1000 mailboxes every second or two (with it, load
  // average here rose to 50), a 6 s consumer session expels a consumer whose apply
  // stalls under such load
  VMSYNC_PARTITIONS: '6',
  VMSYNC_CONSUMER_SESSION_TIMEOUT_MS: '30000',
  VMSYNC_WATCH_LEASE_MS: '20000',
  VMSYNC_EMAIL_POLL_INTERVAL_MS: process.env.BENCH_EMAIL_POLL_INTERVAL_MS ?? '1200000',
  VMSYNC_IMAP_IDLE_FOLLOW_UP_MS: process.env.BENCH_IDLE_FOLLOW_UP_MS ?? '60000',
  VMSYNC_IMAP_IDLE_RENEW_MS: String(24 * 60_000),
};

// ---------------------------------------------------------------- the services' logs

interface Carried {
  service: string;
  key: string; // v:<msgId> (voicemail-actuator) or e:<emailId> (mail-actuator)
  action: string;
  outcome: string;
  latencyMs: number;
  applyMs: number;
  command: string;
  time: number;
}

/** Reads the services' new log lines: links (rules) and commands carried out. */
class Logs {
  readonly carried = new Map<string, Carried[]>();
  /** command id -> when the rules decided it (their log's time) */
  readonly decidedAt = new Map<string, number>();
  linked = 0;
  lastLinkAt = 0;
  firstLinkAt = 0;
  #cursor = new Map<ServiceProcess, number>();

  poll(services: readonly ServiceProcess[]): void {
    for (const s of services) {
      const lines = s.lines;
      const from = this.#cursor.get(s) ?? 0;
      for (let i = from; i < lines.length; i++) {
        const line = lines[i] as string;
        if (line.includes('"command carried out"')) {
          const l = JSON.parse(line) as Record<string, unknown>;
          const key =
            s.service === 'mail-actuator'
              ? `e:${String(l.account).toLowerCase()}/${String(l.emailId)}`
              : `v:${String(l.msgId)}`;
          const c: Carried = {
            service: s.service,
            key,
            action: String(l.action),
            outcome: String(l.outcome),
            latencyMs: Number(l.latencyMs),
            applyMs: Number(l.applyMs),
            command: String(l.command ?? l.commandId),
            time: Number(l.time),
          };
          this.carried.set(key, [...(this.carried.get(key) ?? []), c]);
        } else if (line.includes('"decided"')) {
          const l = JSON.parse(line) as Record<string, unknown>;
          for (const c of Array.isArray(l.commands) ? l.commands : []) {
            const id = String(c).split(' ')[1];
            if (id) this.decidedAt.set(id, Number(l.time));
          }
          if (l.linked !== true) continue;
          const msgId = String(l.voicemail ?? '')
            .split('/')
            .pop();
          const pair = msgId ? byMsgId.get(msgId) : undefined;
          if (pair && !pair.emailId) {
            pair.emailId = typeof l.email === 'string' ? l.email : JSON.stringify(l.email);
            this.linked++;
            const at = Number(l.time);
            this.lastLinkAt = Math.max(this.lastLinkAt, at);
            if (!this.firstLinkAt) this.firstLinkAt = at;
          }
        }
      }
      this.#cursor.set(s, lines.length);
    }
  }
}
const logs = new Logs();

// ---------------------------------------------------------------- CPU profiles

const profileDir = (start: string, name: string) =>
  join(OUT_DIR, 'profiles', `${deployment}-${start}`, name);
/** Now, in µs of the monotonic clock V8's CPU profiles are timed by. */
const nowUs = () => Number(process.hrtime.bigint() / 1000n);
/** The phases to read the profiles over: which start of the services, from, to. */
const phases: { name: string; start: 'first' | 'second'; fromUs: number; toUs: number }[] = [];

/** Each service's self time per phase, by package and function, from its .cpuprofile. */
async function profiles() {
  const out: Record<string, Record<string, ReturnType<typeof cpuProfileSummary>>> = {};
  for (const phase of phases) {
    out[phase.name] = {};
    for (const name of SERVICES) {
      const dir = profileDir(phase.start, name);
      let file: string | undefined;
      try {
        file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
      } catch {
        // no profile: the service did not exit on its own (killed)
      }
      if (!file) continue;
      const profile = JSON.parse(await readFile(join(dir, file), 'utf8')) as CpuProfile;
      const from = (phase.fromUs - profile.startTime) / 1000;
      const to = (phase.toUs - profile.startTime) / 1000;
      (out[phase.name] as Record<string, unknown>)[name] = cpuProfileSummary(profile, from, to, 8);
    }
  }
  return out;
}

/** The five services, started at once; resolves when each has logged `started`. */
async function startAll(start: 'first' | 'second'): Promise<ServiceProcess[]> {
  const flags = (name: string) =>
    CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${profileDir(start, name)}`] : [];
  const services = SERVICES.map((name) => new ServiceProcess(name, svcEnv, flags(name)));
  await Promise.all(services.map((s) => s.start(180_000)));
  return services;
}

/** Keeps the services' log lines beside the world, for a look afterwards. */
async function keepLogs(services: readonly ServiceProcess[], run: string): Promise<void> {
  await mkdir(join(root, 'logs'), { recursive: true });
  for (const s of services)
    await writeFile(join(root, 'logs', `${run}-${s.service}.jsonl`), `${s.lines.join('\n')}\n`);
}

/** The pid of this deployment's process of each service (pgrep, then its environment). */
function pids(): Record<string, number | null> {
  const out: Record<string, number | null> = {};
  for (const name of SERVICES) {
    out[name] = null;
    const r = spawnSync('pgrep', ['-f', `services/${name}/src/main.ts`], { encoding: 'utf8' });
    for (const pid of r.stdout.split('\n').filter(Boolean).map(Number)) {
      try {
        const environ = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
        if (environ.includes(`VMSYNC_DEPLOYMENT=${deployment}`)) out[name] = pid;
      } catch {
        // gone meanwhile
      }
    }
  }
  return out;
}

/** CPU seconds (user + system) each service has used so far, and the machine's busy seconds. */
function cpuSeconds(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, pid] of Object.entries(pids())) {
    if (pid === null) continue;
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
      out[name] = (Number(fields[11]) + Number(fields[12])) / 100;
    } catch {
      // gone meanwhile
    }
  }
  const bench = process.cpuUsage();
  out.bench = (bench.user + bench.system) / 1e6;
  const cpu =
    readFileSync('/proc/stat', 'utf8').split('\n')[0]?.trim().split(/\s+/).slice(1).map(Number) ??
    [];
  const idle = (cpu[3] ?? 0) + (cpu[4] ?? 0);
  out.machineBusy = (cpu.reduce((a, b) => a + b, 0) - idle) / 100;
  out.machineAll = cpu.reduce((a, b) => a + b, 0) / 100;
  return out;
}

/** CPU ticks so far of each service, the bench, and the stack's parts with their children. */
function cpuTree(): Record<string, number> {
  const roots: Record<string, number> = { bench: process.pid };
  for (const [name, pid] of Object.entries(pids())) if (pid !== null) roots[name] = pid;
  for (const part of ['dovecot', 'kafka', 'redis', 'google'])
    roots[part === 'google' ? 'tokenEndpoint' : part] = stackPid(STACK_DIR, part);
  return cpuByGroup(roots);
}

/** VmHWM / VmRSS (KiB) of this deployment's process of each service. */
function memory(): Record<string, { pid: number; vmHWMKiB: number; vmRSSKiB: number } | null> {
  const out: Record<string, { pid: number; vmHWMKiB: number; vmRSSKiB: number } | null> = {};
  for (const [name, pid] of Object.entries(pids())) {
    out[name] = null;
    if (pid === null) continue;
    try {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      const kib = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1]);
      out[name] = { pid, vmHWMKiB: kib('VmHWM'), vmRSSKiB: kib('VmRSS') };
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

async function until(what: string, check: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) {
      log(`timed out waiting for ${what}`);
      return false;
    }
    await sleep(50);
  }
  return true;
}

/**
 * The mail user's IMAP sessions, a bounded number kept open (least recently used out);
 * by default one per user, opened before the rates are measured, so the load generator
 * does not spend the measured time on TLS handshakes and logins.
 */
const MAIL_SESSIONS = num('BENCH_MAIL_SESSIONS', USERS);
const mailUsers = new Map<number, MailboxUser>();
function mailUser(user: number): MailboxUser {
  const found = mailUsers.get(user);
  if (found) {
    mailUsers.delete(user);
    mailUsers.set(user, found);
    return found;
  }
  const created = new MailboxUser(ctx, ctx.users[user]?.email as string);
  mailUsers.set(user, created);
  if (mailUsers.size > MAIL_SESSIONS) {
    const [oldest, m] = mailUsers.entries().next().value as [number, MailboxUser];
    mailUsers.delete(oldest);
    void m.close();
  }
  return created;
}

// ---------------------------------------------------------------- 1. start-up

log(`start-up: starting the five services (deployment ${deployment}); load ${load().join(' ')}`);
const loadAtStart = load();
const startedAt = Date.now();
const firstLinkFromUs = nowUs();
let services = await startAll('first');
const allStartedMs = Date.now() - startedAt;
const linkedAll = await until(
  'every pair linked',
  () => {
    logs.poll(services);
    return logs.linked >= pairs.length;
  },
  num('BENCH_LINK_TIMEOUT_MS', 240_000),
);
const firstLink = {
  pairs: pairs.length,
  linked: logs.linked,
  complete: linkedAll,
  allServicesStartedMs: allStartedMs,
  firstPairLinkedMs: logs.firstLinkAt - startedAt,
  allPairsLinkedMs: logs.lastLinkAt - startedAt,
  cpuSecondsSinceStart: cpuSeconds(),
};
log(`start-up: ${logs.linked}/${pairs.length} linked in ${firstLink.allPairsLinkedMs} ms`);
phases.push({ name: 'first link', start: 'first', fromUs: firstLinkFromUs, toUs: nowUs() });
await sleep(3000); // let the start-up settle (no commands are due: all states agree)
const memoryFirstRun = memory();
await Promise.all(services.map((s) => s.stop()));
logs.poll(services);
await keepLogs(services, 'first');

// ---------------------------------------------------------------- restart

const linkedPairs = pairs.filter((p) => p.emailId);
const shuffled = [...linkedPairs].sort(() => Math.random() - 0.5);
const changeEach = Math.max(1, Math.round(linkedPairs.length * CHANGED_SHARE));
const phoneChanged = shuffled.slice(0, changeEach);
const mailChanged = shuffled.slice(changeEach, 2 * changeEach);
log(`restart: all stopped; ${changeEach} voicemails heard on the phone, ${changeEach} emails read`);
// One phone user listens to one message at a time (two at once raced in the simulator's
// folder moves, and a listen that did not happen was then waited for in vain).
const phoneByUser = new Map<number, Pair[]>();
for (const p of phoneChanged) phoneByUser.set(p.user, [...(phoneByUser.get(p.user) ?? []), p]);
const notListened = new Set<Pair>();
await pool([...phoneByUser.entries()], CONCURRENCY, async ([user, ps]) => {
  for (const p of ps) {
    if ((await phones[user]?.act('listen', p.msgId)) === true) p.heard = true;
    else notListened.add(p);
  }
});
if (notListened.size > 0) {
  log(`restart: ${notListened.size} listens did not happen on the phone; not expected to show`);
}
const mailByUser = new Map<number, Pair[]>();
for (const p of mailChanged) mailByUser.set(p.user, [...(mailByUser.get(p.user) ?? []), p]);
await pool([...mailByUser.entries()], CONCURRENCY, async ([user, ps]) => {
  const m = new MailboxUser(ctx, ctx.users[user]?.email as string);
  for (const p of ps) {
    await m.markRead(p.messageId, true);
    p.seen = true;
  }
  await m.close();
});
const expected = [
  ...phoneChanged
    .filter((p) => !notListened.has(p))
    .map((p) => ({ key: `e:${p.emailId}`, action: 'ensure-read', pair: p })),
  ...mailChanged.map((p) => ({ key: `v:${p.msgId}`, action: 'ensure-heard', pair: p })),
];
const shown = (after: number) =>
  expected.filter((x) =>
    (logs.carried.get(x.key) ?? []).some((c) => c.time >= after && c.action === x.action),
  );
log(`restart: starting the five services; load ${load().join(' ')}`);
const restartedAt = Date.now();
const restartFromUs = nowUs();
const restartCpu0 = cpuTree();
services = await startAll('second');
const restartAllStartedMs = Date.now() - restartedAt;
const reconciledAll = await until(
  'every change made while stopped to show',
  () => {
    logs.poll(services);
    return shown(restartedAt).length >= expected.length;
  },
  num('BENCH_RESTART_TIMEOUT_MS', 120_000),
);
if (!reconciledAll) {
  const seen = new Set(shown(restartedAt));
  for (const x of expected.filter((e) => !seen.has(e))) {
    log(
      `restart: not shown: ${x.action} on ${x.key} (user ${x.pair.user}, voicemail ${x.pair.msgId})`,
    );
  }
}
const restartLines = expected.flatMap((x) =>
  (logs.carried.get(x.key) ?? []).filter((c) => c.time >= restartedAt && c.action === x.action),
);
for (const x of expected) {
  x.pair.heard = true;
  x.pair.seen = true;
}
const restart = {
  changedWhileStopped: expected.length,
  shown: shown(restartedAt).length,
  complete: reconciledAll,
  allServicesStartedMs: restartAllStartedMs,
  firstChangeShownMs: Math.min(...restartLines.map((c) => c.time)) - restartedAt,
  allChangesShownMs: Math.max(...restartLines.map((c) => c.time)) - restartedAt,
  cpuSecondsSinceStart: cpuSeconds(),
  cpuPercentOfOneCore: cpuShare(restartCpu0, cpuTree()),
  outcomes: countBy(restartLines.map((c) => `${c.service} ${c.action} ${c.outcome}`)),
};
log(
  `restart: ${restart.shown}/${restart.changedWhileStopped} shown in ${restart.allChangesShownMs} ms; cpu (% of one core): ${JSON.stringify(restart.cpuPercentOfOneCore)}`,
);
phases.push({ name: 'restart', start: 'second', fromUs: restartFromUs, toUs: nowUs() });
await sleep(2000);

function countBy(xs: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const x of xs) out[x] = (out[x] ?? 0) + 1;
  return out;
}

// ---------------------------------------------------------------- 2. steady rates

type Direction = 'voicemail->email' | 'email->voicemail';
interface Action {
  direction: Direction;
  pair: Pair;
  key: string;
  expect: string;
  startedAt: number;
  doneAt: number;
  effective: boolean; // false: the user's side was already in that state
  failed?: string;
}

/**
 * Whether an actuator line is this action's command: same message and action, and
 * caused by a change the watcher observed after the action started (the line's time
 * minus the pipeline's latency), so a late command of an earlier action never matches.
 */
function caused(c: Carried, a: Action): boolean {
  return c.action === a.expect && c.time - c.latencyMs >= a.startedAt - 2;
}

function pickPair(now: number): Pair | undefined {
  for (let tries = 0; tries < 50; tries++) {
    const p = linkedPairs[Math.floor(Math.random() * linkedPairs.length)];
    if (p && !p.busy && now - p.lastActionAt >= 1000) return p;
  }
  return undefined;
}

/** A user's action that has not finished after this long is counted as failed (an IMAP
 * session of the simulated user can stall under load; the step must still end). */
const ACTION_TIMEOUT_MS = 60_000;
function inTime<T>(work: Promise<T>, what: string): Promise<T> {
  return Promise.race([
    work,
    new Promise<never>((_, reject) =>
      setTimeout(
        () => reject(new Error(`${what} took over ${ACTION_TIMEOUT_MS} ms`)),
        ACTION_TIMEOUT_MS,
      ).unref(),
    ),
  ]);
}

async function act(direction: Direction, p: Pair): Promise<Action> {
  p.busy = true;
  const startedAt = Date.now();
  try {
    if (direction === 'voicemail->email') {
      const heard = !p.heard;
      const done =
        (await inTime(
          phones[p.user]?.act(heard ? 'listen' : 'unheard', p.msgId) ?? Promise.resolve(false),
          'the phone action',
        )) ?? false;
      const doneAt = Date.now();
      p.heard = heard;
      p.seen = heard;
      const expect = heard ? 'ensure-read' : 'ensure-unread';
      return {
        direction,
        pair: p,
        key: `e:${p.emailId}`,
        expect,
        startedAt,
        doneAt,
        effective: done,
      };
    }
    const seen = !p.seen;
    await inTime(mailUser(p.user).markRead(p.messageId, seen), 'the mail action');
    const doneAt = Date.now();
    p.seen = seen;
    p.heard = seen;
    const expect = seen ? 'ensure-heard' : 'ensure-unheard';
    return { direction, pair: p, key: `v:${p.msgId}`, expect, startedAt, doneAt, effective: true };
  } catch (error) {
    // A stalled or broken mail session is not used again: the next action opens another.
    if (direction === 'email->voicemail') {
      void mailUsers
        .get(p.user)
        ?.close()
        .catch(() => undefined);
      mailUsers.delete(p.user);
    }
    return {
      direction,
      pair: p,
      key: '',
      expect: '',
      startedAt,
      doneAt: Date.now(),
      effective: false,
      failed: String(error),
    };
  } finally {
    p.lastActionAt = Date.now();
    p.busy = false;
  }
}

interface DirectionResult {
  issued: number;
  effective: number;
  matched: number;
  unmatched: number;
  /** The first unmatched actions (which message, what was expected, when the user acted). */
  unmatchedActions: { key: string; expect: string; doneAt: string; outcome: string }[];
  outcomes: Record<string, number>;
  endToEndMs: Summary;
  pipelineMs: Summary;
  /** end to end minus the pipeline's share: user action -> the watcher observed it */
  detectionMs: Summary;
  /** the pipeline's share in hops: observed -> rules decided -> actuator took it -> applied */
  hopsMs: { observedToDecided: Summary; decidedToActuator: Summary; apply: Summary };
  actionMs: Summary;
  endToEnd: number[];
}
interface RateResult {
  rate: number;
  seconds: number;
  achievedRate: number;
  issued: number;
  skipped: number;
  failed: number;
  load: number[];
  /** % of one core over the step (issuing and the actions' own sync), per process */
  cpuPercentOfOneCore: Record<string, number>;
  byDirection: Record<Direction, DirectionResult>;
}

log(`rates: opening ${Math.min(MAIL_SESSIONS, USERS)} mail user sessions (not timed)`);
await pool(
  ctx.users.slice(0, MAIL_SESSIONS).map((_, i) => i),
  CONCURRENCY,
  async (i) => {
    await mailUser(i).list();
  },
);
const rates: RateResult[] = [];
for (const rate of RATES) {
  const total = Math.round(rate * STEP_SECONDS);
  log(`rate ${rate}/s: ${total} actions over ${STEP_SECONDS} s; load ${load().join(' ')}`);
  const inFlight: Promise<Action>[] = [];
  let skipped = 0;
  const cpuBefore = cpuTree();
  const stepFromUs = nowUs();
  const t0 = performance.now();
  for (let i = 0; i < total; i++) {
    const due = t0 + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait);
    const p = pickPair(Date.now());
    if (!p) {
      skipped++;
      continue;
    }
    inFlight.push(act(i % 2 === 0 ? 'voicemail->email' : 'email->voicemail', p));
    if (i % 200 === 0) logs.poll(services);
  }
  const issuedOver = (performance.now() - t0) / 1000;
  const actions = await Promise.all(inFlight);
  const cpu = cpuShare(cpuBefore, cpuTree());
  phases.push({ name: `rate ${rate}/s`, start: 'second', fromUs: stepFromUs, toUs: nowUs() });
  const lastDone = Math.max(...actions.map((a) => a.doneAt));
  // drain: until every effective action has its line, or 10 s after the last action
  const isMatched = (a: Action) => (logs.carried.get(a.key) ?? []).some((c) => caused(c, a));
  await until(
    'the commands of this step',
    () => {
      logs.poll(services);
      return actions.every((a) => !a.effective || isMatched(a)) || Date.now() > lastDone + 10_000;
    },
    30_000,
  );
  const stepLoad = load();
  const byDirection = {} as Record<Direction, DirectionResult>;
  for (const direction of ['voicemail->email', 'email->voicemail'] as const) {
    const mine = actions.filter((a) => a.direction === direction);
    const effective = mine.filter((a) => a.effective);
    const endToEnd: number[] = [];
    const pipeline: number[] = [];
    const detection: number[] = [];
    const hops = {
      observedToDecided: [] as number[],
      decidedToActuator: [] as number[],
      apply: [] as number[],
    };
    const outcomes: string[] = [];
    const unmatchedActions: DirectionResult['unmatchedActions'] = [];
    const unmatched = (a: Action, outcome: string) => {
      const doneAt = new Date(a.doneAt).toISOString();
      if (unmatchedActions.length < 20)
        unmatchedActions.push({ key: a.key, expect: a.expect, doneAt, outcome });
    };
    let matched = 0;
    for (const a of effective) {
      const line = (logs.carried.get(a.key) ?? [])
        .filter((c) => caused(c, a))
        .sort((x, y) => x.time - y.time)[0];
      if (!line) {
        outcomes.push('no command seen');
        unmatched(a, 'no command seen');
        continue;
      }
      outcomes.push(line.outcome);
      if (line.outcome !== 'applied') {
        unmatched(a, line.outcome);
        continue;
      }
      matched++;
      endToEnd.push(line.time - a.doneAt);
      pipeline.push(line.latencyMs);
      detection.push(line.time - a.doneAt - line.latencyMs);
      const decided = logs.decidedAt.get(line.command);
      if (decided !== undefined) {
        hops.observedToDecided.push(decided - (line.time - line.latencyMs));
        hops.decidedToActuator.push(line.time - line.applyMs - decided);
      }
      hops.apply.push(line.applyMs);
    }
    byDirection[direction] = {
      issued: mine.length,
      effective: effective.length,
      matched,
      unmatched: effective.length - matched,
      unmatchedActions,
      outcomes: countBy(outcomes),
      endToEndMs: summarize(endToEnd),
      pipelineMs: summarize(pipeline),
      detectionMs: summarize(detection),
      hopsMs: {
        observedToDecided: summarize(hops.observedToDecided),
        decidedToActuator: summarize(hops.decidedToActuator),
        apply: summarize(hops.apply),
      },
      actionMs: summarize(mine.map((a) => a.doneAt - a.startedAt)),
      endToEnd,
    };
  }
  const failures = actions.filter((a) => a.failed);
  if (failures.length > 0) log(`  ${failures.length} actions failed, e.g. ${failures[0]?.failed}`);
  rates.push({
    rate,
    seconds: STEP_SECONDS,
    achievedRate: Math.round((actions.length / issuedOver) * 10) / 10,
    issued: actions.length,
    skipped,
    failed: failures.length,
    load: stepLoad,
    cpuPercentOfOneCore: cpu,
    byDirection,
  });
  for (const [d, r] of Object.entries(byDirection))
    log(
      `  ${d}: ${r.matched}/${r.issued} matched; end-to-end p50 ${r.endToEndMs.p50} p99 ${r.endToEndMs.p99} ms; pipeline p50 ${r.pipelineMs.p50} p99 ${r.pipelineMs.p99} ms; detection p50 ${r.detectionMs.p50} p99 ${r.detectionMs.p99} ms`,
    );
  for (const [d, r] of Object.entries(byDirection))
    log(
      `  ${d} hops p50/p99 (ms): observed->decided ${r.hopsMs.observedToDecided.p50}/${r.hopsMs.observedToDecided.p99}, decided->actuator ${r.hopsMs.decidedToActuator.p50}/${r.hopsMs.decidedToActuator.p99}, apply ${r.hopsMs.apply.p50}/${r.hopsMs.apply.p99}`,
    );
  log(`  cpu (% of one core): ${JSON.stringify(cpu)}; load ${stepLoad.join(' ')}`);
  await sleep(2000);
}

// ---------------------------------------------------------------- 3. memory, and stop

const memoryEnd = memory();
const loadAtEnd = load();
await Promise.all(services.map((s) => s.stop()));
await keepLogs(services, 'second');
const cpuProfiles = CPU_PROF ? await profiles() : null;
await Promise.all([...mailUsers.values()].map((m) => m.close()));

// ---------------------------------------------------------------- 4. chart and report

const p99Of = (r: RateResult) =>
  Math.max(
    r.byDirection['voicemail->email'].endToEndMs.p99,
    r.byDirection['email->voicemail'].endToEndMs.p99,
  );
const underOneSecond = rates.filter((r) => p99Of(r) < 1000);
const highestRateUnder1s = underOneSecond.length
  ? Math.max(...underOneSecond.map((r) => r.rate))
  : null;
const chartRate =
  rates.find((r) => r.rate === highestRateUnder1s) ?? rates[rates.length - 1] ?? rates[0];
await mkdir(OUT_DIR, { recursive: true });
if (chartRate) {
  const v2e = chartRate.byDirection['voicemail->email'].endToEnd;
  const e2v = chartRate.byDirection['email->voicemail'].endToEnd;
  const png = cdfChart({
    title: `vmsync end-to-end sync latency at ${chartRate.rate}/s, ${pairs.length} pairs`,
    xLabel: 'user action -> change applied on the other side (ms)',
    series: [
      { label: 'voicemail -> email', colour: [30, 100, 200], values: v2e },
      { label: 'email -> voicemail', colour: [230, 120, 20], values: e2v },
    ],
    markers: [
      { at: 300, label: 'target p99 300 ms' },
      { at: 1000, label: '1 s' },
    ],
    xMax: Math.max(
      350,
      ...[...v2e, ...e2v]
        .sort((a, b) => a - b)
        .slice(0, Math.ceil(0.995 * (v2e.length + e2v.length))),
    ),
  });
  await writeFile(join(OUT_DIR, 'pipeline-latency.png'), png);
}

const round = (x: number) => Math.round(x * 10) / 10;
const result = {
  date: new Date().toISOString(),
  machine: '2 cores, 24 GiB (this workplace), shared with another benchmark',
  config: {
    users: USERS,
    messagesPerUser: PER_USER,
    pairs: pairs.length,
    firstUser: FIRST_USER,
    rates: RATES,
    stepSeconds: STEP_SECONDS,
    deployment,
    emailPollIntervalMs: Number(svcEnv.VMSYNC_EMAIL_POLL_INTERVAL_MS),
    partitions: Number(svcEnv.VMSYNC_PARTITIONS),
  },
  load: { atStart: loadAtStart, atEnd: loadAtEnd },
  firstLink,
  restart,
  rates: rates.map((r) => ({
    ...r,
    byDirection: Object.fromEntries(
      Object.entries(r.byDirection).map(([d, x]) => {
        const { endToEnd: _samples, ...rest } = x;
        return [d, rest];
      }),
    ),
  })),
  highestRateWithEndToEndP99Under1s: highestRateUnder1s,
  memory: { afterFirstStart: memoryFirstRun, atEnd: memoryEnd },
  cpuProfiles,
  chart: chartRate ? { file: '.bench/pipeline-latency.png', rate: chartRate.rate } : null,
  targets: {
    restartReconciliationMs: 10_000,
    endToEndP99Ms: 300,
    pipelineP99Ms: 50,
    highestRateP99Under1s: 200,
  },
  originalProduct: {
    startUp: '< 3 min for 1000 users',
    syncLatency: '< 20 s',
    idleTraffic: '75 KB/s',
  },
};
await writeFile(join(OUT_DIR, 'pipeline.json'), `${JSON.stringify(result, null, 2)}\n`);

const rows: [string, string, string, string][] = [
  [
    `first link of ${pairs.length} pairs (start-up)`,
    `${(firstLink.allPairsLinkedMs / 1000).toFixed(1)} s (${firstLink.linked} linked; all started ${(firstLink.allServicesStartedMs / 1000).toFixed(1)} s)`,
    '',
    '< 3 min / 1000 users',
  ],
  [
    `start-up reconciliation after a restart (${restart.changedWhileStopped} changes)`,
    `${(restart.allChangesShownMs / 1000).toFixed(1)} s (${restart.shown} shown; all started ${(restart.allServicesStartedMs / 1000).toFixed(1)} s)`,
    '<= 10 s',
    '< 3 min / 1000 users',
  ],
];
for (const r of rates) {
  for (const d of ['voicemail->email', 'email->voicemail'] as const) {
    const x = r.byDirection[d];
    const e = x.endToEndMs;
    const p = x.pipelineMs;
    rows.push([
      `${r.rate}/s ${d} end to end p50/p95/p99 (ms)`,
      `${round(e.p50)} / ${round(e.p95)} / ${round(e.p99)}  (${x.matched}/${x.issued} matched)`,
      'p99 <= 300',
      '< 20 s',
    ]);
    rows.push([
      `${r.rate}/s ${d} pipeline share p50/p95/p99 (ms)`,
      `${round(p.p50)} / ${round(p.p95)} / ${round(p.p99)}`,
      'p99 <= 50',
      '',
    ]);
    const h = x.hopsMs;
    rows.push([
      `${r.rate}/s ${d} hops p99: observed->decided / ->actuator / apply`,
      `${round(h.observedToDecided.p99)} / ${round(h.decidedToActuator.p99)} / ${round(h.apply.p99)}`,
      '',
      '',
    ]);
    rows.push([
      `${r.rate}/s ${d} action -> watcher observed p50/p99`,
      `${round(x.detectionMs.p50)} / ${round(x.detectionMs.p99)}`,
      '',
      '',
    ]);
  }
}
rows.push([
  'highest rate with end-to-end p99 < 1 s',
  highestRateUnder1s === null ? 'none' : `${highestRateUnder1s}/s`,
  '>= 200/s',
  '',
]);
for (const name of SERVICES) {
  const a = memoryFirstRun[name]?.vmHWMKiB ?? 0;
  const b = memoryEnd[name]?.vmHWMKiB ?? 0;
  rows.push([
    `peak memory (VmHWM) ${name}`,
    `${(a / 1024).toFixed(0)} MiB first run / ${(b / 1024).toFixed(0)} MiB second run`,
    '',
    '',
  ]);
}
rows.push(['idle traffic', 'not measured here', '', '75 KB/s']);
const w = [0, 1, 2, 3].map((i) => Math.max(...rows.map((r) => r[i]?.length ?? 0), 6));
const fmt = (r: readonly string[]) => r.map((c, i) => c.padEnd(w[i] ?? 0)).join('  ');
console.log(`\n${fmt(['figure', 'value', 'target', 'original product'])}`);
for (const r of rows) console.log(fmt(r));
console.log(
  `\nload average (1/5/15 min): ${loadAtStart.join(' ')} at start, ${loadAtEnd.join(' ')} at end`,
);
if (cpuProfiles) {
  console.log('\nwhere each service spent its CPU, per phase (self time, V8 CPU profile):');
  for (const [phase, byService] of Object.entries(cpuProfiles)) {
    for (const [name, p] of Object.entries(byService)) {
      const top = (xs: { name: string; percent: number }[], n: number) =>
        xs
          .slice(0, n)
          .map((x) => `${x.name} ${x.percent} %`)
          .join(', ');
      console.log(
        `  ${phase}, ${name}: ${(p.busyMs / 1000).toFixed(1)} s busy of ${(p.windowMs / 1000).toFixed(1)} s; ${top(p.byOwner, 6)}; top functions: ${top(p.byFunction, 4)}`,
      );
    }
  }
}
console.log('written: .bench/pipeline.json, .bench/pipeline-latency.png');
process.exit(0);
