/**
 * Benchmark of the voicemail side (issue: watcher, actuator), on the real local stack:
 *   - start-up snapshot of 1000 mailboxes x 5 messages (the watcher's own figure and
 *     until the last event is on the bus);
 *   - the watcher's CPU while nothing changes (BENCH_IDLE_SECONDS);
 *   - file operation -> change observed / change readable on Kafka;
 *   - one command applied by the actuator (its own apply time, and bus to applied);
 *   - the watcher restarted: its snapshot again, with what it remembers in Redis.
 * Prints a table and writes .bench/voicemail-side.json. Not a test: nothing asserts.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createKafka, createPublisher, ensureTopics } from '@vmsync/bus';
import { type Envelope, parseEnvelope, topicNames } from '@vmsync/events';
import { createSpoolLayout, deposit, listen, markUnheard } from '@vmsync/pbx-sim';
import { DeploymentClock, Store } from '@vmsync/store';
import { ServiceProcess, uniqueName, waitFor } from '@vmsync/testkit';
import { type CpuProfile, cpuProfileSummary } from './cpuprofile.js';
import { processStat } from './probes.js';
import { summarize } from './stats.js';

const USERS = Number(process.env.BENCH_USERS ?? 1000);
const PER_USER = Number(process.env.BENCH_MESSAGES ?? 5);
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 300);
const IDLE_SECONDS = Number(process.env.BENCH_IDLE_SECONDS ?? 90);
/** Each voicemail's length (8 kHz 16-bit WAV: 16 KB a second); real ones run 10-60 s. */
const AUDIO_SECONDS = Number(process.env.BENCH_AUDIO_SECONDS ?? 2);
/** The watcher under V8's CPU profiler: where its idle time goes (slows it ~2x). */
const CPU_PROF = process.env.BENCH_CPU_PROF === '1';
/** Now, in µs of the monotonic clock V8's CPU profiles are timed by. */
const nowUs = () => Number(process.hrtime.bigint() / 1000n);
/** USER_HZ: /proc's CPU times are in these. */
const TICKS_PER_SECOND = 100;
const env = process.env as Record<string, string>;
if (!env.VMSYNC_KAFKA_BROKERS || !env.VMSYNC_REDIS_URL)
  throw new Error('run through ./vmsync bench');

const root = join(process.cwd(), '.bench', 'voicemail-side');
await rm(root, { recursive: true, force: true });
await mkdir(root, { recursive: true });
const layout = await createSpoolLayout({ root, users: USERS });
console.log(`spool: depositing ${USERS} x ${PER_USER} voicemails...`);
const messages: { mailbox: string; msgId: string }[] = [];
for (const user of layout.users) {
  for (let i = 0; i < PER_USER; i++) {
    const m = await deposit({
      spoolDir: layout.spoolDir,
      mailbox: user.mailbox,
      durationSec: AUDIO_SECONDS,
    });
    messages.push({ mailbox: user.mailbox, msgId: m.msgId });
  }
}

const prefix = `${uniqueName('bench')}.`;
const topics = topicNames(prefix);
const kafka = createKafka({ brokers: env.VMSYNC_KAFKA_BROKERS.split(','), clientId: 'bench' });
await ensureTopics(kafka, [
  { topic: topics.voicemailChanged, partitions: 6 },
  { topic: topics.mailboxes, partitions: 6 },
  { topic: topics.voicemailCommands('pbx1'), partitions: 6 },
]);
const redis = new Store({ url: env.VMSYNC_REDIS_URL, prefix: 'bench' });
await redis.connect();
const clock = new DeploymentClock(redis.redis);
await clock.start();

const received = new Map<string, { at: number; event: Envelope }>();
const consumer = kafka.consumer({ groupId: uniqueName('bench-reader'), maxWaitTimeInMs: 5 });
await consumer.connect();
await consumer.subscribe({ topics: [topics.voicemailChanged], fromBeginning: true });
let snapshotEvents = 0;
let lastSnapshotAt = 0;
await consumer.run({
  eachMessage: async ({ message }) => {
    const event = parseEnvelope(message.value);
    const at = clock.now();
    if (event.type !== 'voicemail-changed') return;
    if (event.payload.phase === 'snapshot') {
      snapshotEvents++;
      lastSnapshotAt = at;
    } else {
      received.set(`${event.payload.ref.msgId}:${event.payload.after.folder}`, { at, event });
    }
  },
});

const serviceEnv = {
  VMSYNC_KAFKA_BROKERS: env.VMSYNC_KAFKA_BROKERS,
  VMSYNC_REDIS_URL: env.VMSYNC_REDIS_URL,
  VMSYNC_DEPLOYMENT: uniqueName('bench').toLowerCase(),
  VMSYNC_TOPIC_PREFIX: prefix,
  VMSYNC_PARTITIONS: '6',
  VMSYNC_SERVER_ID: 'pbx1',
  VMSYNC_SPOOL_DIR: layout.spoolDir,
  VMSYNC_VOICEMAIL_CONF: layout.confPath,
  VMSYNC_LOG_LEVEL: 'info',
  OTEL_TRACES_EXPORTER: 'none',
  OTEL_METRICS_EXPORTER: 'none',
  OTEL_LOGS_EXPORTER: 'none',
};

console.log('watcher: start-up snapshot...');
const startedAt = clock.now();
const profDir = join(process.cwd(), '.bench', 'profiles', `voicemail-side-${Date.now()}`);
const watcher = new ServiceProcess(
  'voicemail-watcher',
  serviceEnv,
  CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`] : [],
);
await watcher.start(120_000);
const snapshotLog = watcher.logs().find((l) => l.msg === 'start-up snapshot published');
await waitFor(
  'every snapshot event',
  () => (snapshotEvents >= USERS * PER_USER ? true : undefined),
  120_000,
);
const snapshotDoneUs = nowUs();
const snapshot = {
  messages: USERS * PER_USER,
  watcherMs: Number(snapshotLog?.ms),
  processStartToLastEventMs: Math.round(lastSnapshotAt - startedAt),
};

// Idle: nothing changes; the watcher's own safety-net rescan (every mailbox once per
// VMSYNC_RESCAN_INTERVAL_MS, 60 s by default) is what it does. One whole round at least.
console.log(`watcher: idle for ${IDLE_SECONDS} s...`);
const cpuTicks = () =>
  processStat(readFileSync(`/proc/${watcher.pid}/stat`, 'utf8')).ticks / TICKS_PER_SECOND;
const idleFrom = { cpu: cpuTicks(), at: Date.now(), us: nowUs() };
await new Promise((r) => setTimeout(r, IDLE_SECONDS * 1000));
const idleToUs = nowUs();
const idle = {
  seconds: IDLE_SECONDS,
  cpuPercentOfCore:
    Math.round(((cpuTicks() - idleFrom.cpu) / ((Date.now() - idleFrom.at) / 1000)) * 1000) / 10,
};

console.log(`watcher: ${SAMPLES} file operations...`);
const observed: number[] = [];
const onBus: number[] = [];
for (let i = 0; i < SAMPLES; i++) {
  const m = messages[(i * 7919) % messages.length];
  if (!m) break;
  const target = { spoolDir: layout.spoolDir, mailbox: m.mailbox };
  // alternate heard/unheard so every sample is a real change
  const toSaved = !received.has(`${m.msgId}:saved`) || received.has(`${m.msgId}:new`);
  received.delete(`${m.msgId}:${toSaved ? 'saved' : 'new'}`);
  const t0 = clock.now();
  await (toSaved ? listen(target, m.msgId) : markUnheard(target, m.msgId));
  const got = await waitFor(
    'the change event',
    () => received.get(`${m.msgId}:${toSaved ? 'saved' : 'new'}`),
    10_000,
    1,
  );
  observed.push(got.event.observedAt - t0);
  onBus.push(got.at - t0);
  await new Promise((r) => setTimeout(r, 10));
}

console.log(`actuator: ${SAMPLES} commands...`);
const actuator = new ServiceProcess('voicemail-actuator', serviceEnv);
await actuator.start(60_000);
const publisher = createPublisher(kafka);
await publisher.connect();
const applyMs: number[] = [];
const busToApplied: number[] = [];
for (let i = 0; i < SAMPLES; i++) {
  const m = messages[(i * 104729) % messages.length];
  if (!m) break;
  const id = `bench-cmd-${i}-${uniqueName('c')}`;
  const action = i % 2 === 0 ? 'ensure-heard' : 'ensure-unheard';
  await publisher.publish(topics.voicemailCommands('pbx1'), 'bench', {
    id,
    type: 'voicemail-command',
    version: 1,
    observedAt: clock.now(),
    correlationId: id,
    causationId: null,
    payload: {
      commandId: id,
      ref: { server: 'pbx1', mailbox: `${m.mailbox}@default`, msgId: m.msgId },
      action,
    },
  });
  const log = await waitFor(
    'the command outcome',
    () => actuator.logs().find((l) => l.command === id),
    10_000,
    1,
  );
  applyMs.push(Number(log.applyMs));
  busToApplied.push(Number(log.latencyMs));
}

// The watcher restarted on the same deployment: what it observed is in Redis (the audio
// digests among it), nothing is in its memory.
console.log('watcher: restart...');
await watcher.stop();
const snapshotsBefore = snapshotEvents;
const restartedAt = clock.now();
const restartProfDir = `${profDir}-restart`;
const restarted = new ServiceProcess(
  'voicemail-watcher',
  serviceEnv,
  CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${restartProfDir}`] : [],
);
await restarted.start(120_000);
await waitFor(
  'every snapshot event after the restart',
  () => (snapshotEvents >= snapshotsBefore + USERS * PER_USER ? true : undefined),
  120_000,
);
const restartDoneUs = nowUs();
const restart = {
  watcherMs: Number(restarted.logs().find((l) => l.msg === 'start-up snapshot published')?.ms),
  processStartToLastEventMs: Math.round(lastSnapshotAt - restartedAt),
};

const result = {
  date: new Date().toISOString(),
  machine: '2 cores, 24 GiB (this workplace)',
  spool: { mailboxes: USERS, messagesPerMailbox: PER_USER, audioSeconds: AUDIO_SECONDS },
  snapshot,
  restart,
  idle,
  changeObservedMs: summarize(observed),
  changeOnBusMs: summarize(onBus),
  actuatorApplyMs: summarize(applyMs),
  actuatorBusToAppliedMs: summarize(busToApplied),
  targets: { snapshotMs: 2000, changeOnBusP99Ms: 20, actuatorApplyP99Ms: 10 },
};
await writeFile(
  join(process.cwd(), '.bench', 'voicemail-side.json'),
  `${JSON.stringify(result, null, 2)}\n`,
);
console.log(
  '\nvoicemail side                          n      p50     p95     p99     max   target',
);
const row = (name: string, s: ReturnType<typeof summarize>, target: string) =>
  console.log(
    `${name.padEnd(36)} ${String(s.n).padStart(5)} ${[s.p50, s.p95, s.p99, s.max].map((x) => x.toFixed(1).padStart(7)).join(' ')}   ${target}`,
  );
row('file op -> change observed (ms)', result.changeObservedMs, '');
row('file op -> event on Kafka (ms)', result.changeOnBusMs, 'p99 < 20');
row('actuator apply (ms)', result.actuatorApplyMs, 'p99 < 10');
row('command on Kafka -> applied (ms)', result.actuatorBusToAppliedMs, '');
console.log(
  `start-up snapshot of ${snapshot.messages} messages (${AUDIO_SECONDS} s of audio each): ${snapshot.watcherMs} ms (watcher), ${snapshot.processStartToLastEventMs} ms from process start to the last event on Kafka; target < 2000 ms`,
);
console.log(
  `restarted watcher's snapshot: ${restart.watcherMs} ms (watcher), ${restart.processStartToLastEventMs} ms from process start to the last event on Kafka`,
);
console.log(
  `idle: the watcher used ${idle.cpuPercentOfCore} % of a core over ${idle.seconds} s with ${USERS} mailboxes and nothing changing`,
);
console.log('written: .bench/voicemail-side.json');

await Promise.all([restarted.stop(), actuator.stop()]);
if (CPU_PROF) {
  // Written as each watcher exits: where its time went (V8 self time), per window.
  const profiles = [
    {
      dir: profDir,
      windows: [
        {
          name: 'start-up (process start to the last snapshot event)',
          from: 0,
          to: snapshotDoneUs,
        },
        { name: 'idle', from: idleFrom.us, to: idleToUs },
      ],
    },
    {
      dir: restartProfDir,
      windows: [
        { name: 'restart (process start to the last snapshot event)', from: 0, to: restartDoneUs },
      ],
    },
  ];
  for (const { dir, windows } of profiles) {
    const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
    if (!file) continue;
    const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile;
    const ms = (us: number) => (us - profile.startTime) / 1000;
    for (const w of windows) {
      const summary = cpuProfileSummary(profile, w.from === 0 ? 0 : ms(w.from), ms(w.to), 10);
      console.log(
        `${w.name} profile (${file}): busy ${summary.busyMs} ms of ${summary.windowMs} ms`,
      );
      for (const f of summary.byOwner) console.log(`  ${f.percent}%  ${f.name}`);
      for (const f of summary.byFunction) console.log(`  ${f.percent}%  ${f.name}`);
    }
  }
}
await consumer.disconnect();
await publisher.disconnect();
clock.stop();
await redis.close();
process.exit(0);
