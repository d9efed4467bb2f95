import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { busMetrics } from './bus-metrics.js';
import { SyncMetrics } from './sync-metrics.js';

describe('busMetrics', () => {
  it('counts what the bus reports: published, handled, retried, dead-lettered', async () => {
    const registry = new Registry();
    const hooks = busMetrics(registry);
    const at = { topic: 'mail-commands', partition: 0, offset: '1' };
    hooks.onPublished?.({ topic: 'mail-commands', count: 3, durationMs: 2 });
    hooks.onHandled?.({ ...at, type: 'mail-command', attempts: 1, durationMs: 12 });
    hooks.onRetry?.({ ...at, type: 'mail-command', attempt: 1, delayMs: 5, error: null });
    hooks.onDeadLetter?.({
      ...at,
      type: null,
      reason: 'invalid',
      code: 'EVENT_INVALID',
      error: null,
    });
    const text = await registry.metrics();
    expect(text).toContain('vmsync_messages_published_total{topic="mail-commands"} 3');
    expect(text).toContain(
      'vmsync_messages_consumed_total{type="mail-command",outcome="handled"} 1',
    );
    expect(text).toContain('vmsync_message_retries_total{type="mail-command"} 1');
    expect(text).toContain(
      'vmsync_dead_letters_total{topic="mail-commands",type="unreadable",reason="invalid"} 1',
    );
    expect(text).toContain('vmsync_message_handle_seconds_count{type="mail-command"} 1');
  });
});

describe('SyncMetrics', () => {
  it('observes latency in seconds under its direction, and counts outcomes', async () => {
    const registry = new Registry();
    const sync = new SyncMetrics(registry, 'email-to-voicemail');
    sync.applied('ensure-heard', 40);
    sync.command('ensure-heard', 'applied');
    sync.command('ensure-heard', 'superseded');
    const text = await registry.metrics();
    expect(text).toContain(
      'vmsync_sync_latency_seconds_bucket{le="0.05",direction="email-to-voicemail",action="ensure-heard"} 1',
    );
    expect(text).toContain(
      'vmsync_sync_latency_seconds_bucket{le="0.025",direction="email-to-voicemail",action="ensure-heard"} 0',
    );
    expect(text).toContain(
      'vmsync_commands_total{direction="email-to-voicemail",action="ensure-heard",outcome="superseded"} 1',
    );
  });
});
