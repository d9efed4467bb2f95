/**
 * Observability of the real services, as an SRE sees it: one sync is one trace from the
 * watcher through the rules to the actuator (exported over OTLP/HTTP JSON to a local
 * receiver), and /readyz and /metrics answer with what the dashboards need.
 */
import {
  exposedFamilies,
  familyOf,
  metricNames,
  PROMETHEUS_SERIES,
  queries,
} from '@vmsync/deploy-check';
import { mailboxHash } from '@vmsync/telemetry';
import { OtlpReceiver, type ReceivedSpan } from '@vmsync/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SERVICES, World } from './world.js';

const receiver = new OtlpReceiver();
let world: World;
const WAV = 0; // user38: WAV attached; user39: text only

beforeAll(async () => {
  await receiver.start();
  world = new World('observability', 38, 2, {
    extraEnv: {
      OTEL_TRACES_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
      OTEL_BSP_SCHEDULE_DELAY: '100',
      OTEL_METRICS_EXPORTER: 'none',
      OTEL_LOGS_EXPORTER: 'none',
      VMSYNC_LAG_INTERVAL_MS: '500',
    },
  });
  await world.start();
}, 180_000);

afterAll(async () => {
  await world?.stop();
  await receiver.stop();
});

/** The trace of the apply span that matches, once all three spans have arrived. */
async function syncTrace(actuatorSpan: string, match: (s: ReceivedSpan) => boolean) {
  return world.until(`the trace ending in ${actuatorSpan}`, () => {
    const apply = receiver.spans.find((s) => s.name === actuatorSpan && match(s));
    if (!apply) return undefined;
    const spans = receiver.spans.filter((s) => s.traceId === apply.traceId);
    return spans.length >= 3 ? { apply, spans } : undefined;
  });
}

function expectChain(spans: ReceivedSpan[], names: [string, string, string], services: string[]) {
  const [observe, decide, apply] = names.map((n) => spans.find((s) => s.name === n));
  expect(observe, names[0]).toBeDefined();
  expect(decide, names[1]).toBeDefined();
  expect(apply, names[2]).toBeDefined();
  if (!observe || !decide || !apply) return;
  // One trace: the watcher's observation is its root, the rules' span its child, the
  // actuator's span the rules' child; and they start in that order.
  expect(observe.parentSpanId).toBe('');
  expect(decide.parentSpanId).toBe(observe.spanId);
  expect(apply.parentSpanId).toBe(decide.spanId);
  expect(new Set([observe.traceId, decide.traceId, apply.traceId]).size).toBe(1);
  expect(observe.start <= decide.start && decide.start <= apply.start).toBe(true);
  expect([observe.service, decide.service, apply.service]).toEqual(services);
  // Never an address in clear in a span of the sync.
  for (const s of [observe, decide, apply]) {
    expect(JSON.stringify(s.attributes)).not.toMatch(/@example\.test/);
  }
}

describe('one sync is one trace (OTLP)', () => {
  it('voicemail heard -> email read: voicemail-watcher, rules, mail-actuator', async () => {
    const p = await world.pair(WAV);
    await p.phone.act('listen', p.msgId);
    await world.settle(p, { folder: 'saved', email: { folder: 'INBOX', seen: true } });
    const hash = mailboxHash(p.mail.address);
    const { apply, spans } = await syncTrace(
      'mail-actuator apply',
      (s) =>
        s.attributes['vmsync.action'] === 'ensure-read' &&
        s.attributes['vmsync.mailbox_hash'] === hash,
    );
    expectChain(
      spans,
      ['voicemail-watcher observe', 'rules decide', 'mail-actuator apply'],
      ['vmsync-voicemail-watcher', 'vmsync-rules', 'vmsync-mail-actuator'],
    );
    expect(apply.attributes).toMatchObject({
      'vmsync.direction': 'voicemail-to-email',
      'vmsync.outcome': 'applied',
    });
    const observe = spans.find((s) => s.name === 'voicemail-watcher observe');
    expect(observe?.attributes['vmsync.voicemail_server']).toBe(world.ctx.server);
  });

  it('email deleted -> voicemail deleted: email-watcher, rules, voicemail-actuator', async () => {
    const p = await world.pair(WAV);
    await p.mail.moveTo(p.messageId, 'Trash');
    await world.settle(p, { folder: 'deleted', email: { folder: 'Trash', seen: false } });
    const { apply, spans } = await syncTrace(
      'voicemail-actuator apply',
      (s) => s.attributes['vmsync.action'] === 'ensure-deleted',
    );
    expectChain(
      spans,
      ['email-watcher observe', 'rules decide', 'voicemail-actuator apply'],
      ['vmsync-email-watcher', 'vmsync-rules', 'vmsync-voicemail-actuator'],
    );
    expect(apply.attributes).toMatchObject({
      'vmsync.direction': 'email-to-voicemail',
      'vmsync.outcome': 'applied',
      'vmsync.voicemail_server': world.ctx.server,
    });
    const observe = spans.find((s) => s.name === 'email-watcher observe');
    expect(typeof observe?.attributes['vmsync.shard']).toBe('number');
  });
});

async function metricsOf(name: string): Promise<string> {
  return (await fetch(`http://127.0.0.1:${world.opsPort(name)}/metrics`)).text();
}

describe('ops endpoints of the running services', () => {
  it('every metric a dashboard panel or an alert rule queries is served by a service', async () => {
    const families = new Set<string>();
    for (const name of SERVICES)
      for (const f of exposedFamilies(await metricsOf(name))) families.add(f);
    const missing = queries().flatMap((q) =>
      metricNames(q.expr)
        .filter((m) => !PROMETHEUS_SERIES.has(m) && familyOf(m, families) === undefined)
        .map((m) => `${q.where}: ${m}`),
    );
    expect(missing).toEqual([]);
  });

  it('the syncs above are in the sync-latency histograms, by direction and action', async () => {
    const count = (text: string, direction: string, action: string) =>
      Number(
        new RegExp(
          `^vmsync_sync_latency_seconds_count\\{direction="${direction}",action="${action}"\\} (\\d+)`,
          'm',
        ).exec(text)?.[1] ?? 0,
      );
    expect(
      count(await metricsOf('mail-actuator'), 'voicemail-to-email', 'ensure-read'),
    ).toBeGreaterThanOrEqual(1);
    expect(
      count(await metricsOf('voicemail-actuator'), 'email-to-voicemail', 'ensure-deleted'),
    ).toBeGreaterThanOrEqual(1);
    expect(await metricsOf('rules')).toMatch(
      /^vmsync_consumer_lag_messages\{group="[^"]+-rules",topic="[^"]+voicemail-changed"\} \d+/m,
    );
  });

  it('every service is ready (connected, caught up)', async () => {
    for (const name of SERVICES) {
      const port = world.opsPort(name);
      await world.until(`${name} ready`, async () => {
        const res = await fetch(`http://127.0.0.1:${port}/readyz`);
        return res.status === 200 ? true : undefined;
      });
    }
  });
});
