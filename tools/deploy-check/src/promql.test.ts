import { describe, expect, it } from 'vitest';
import { alertRules, dashboard, queries } from './observability-files.js';
import { exposedFamilies, familyOf, metricNames } from './promql.js';
import { readYamlDocuments } from './repo.js';

describe('metricNames', () => {
  it('finds every selected metric, inside functions, aggregations and binary operators', () => {
    expect(
      metricNames(
        'histogram_quantile(0.99, sum by (le) (rate(a_bucket{x="y"}[$__rate_interval]))) / clamp_min(sum(b), 1) or absent(up)',
      ).sort(),
    ).toEqual(['a_bucket', 'b', 'up']);
  });

  it('refuses an expression that does not parse, saying where', () => {
    expect(() => metricNames('sum(rate(a[5m])')).toThrow(/does not parse at/);
  });
});

describe('familyOf', () => {
  const families = new Set(['vmsync_sync_latency_seconds', 'vmsync_commands']);
  it('maps histogram and counter samples to their family', () => {
    expect(familyOf('vmsync_sync_latency_seconds_bucket', families)).toBe(
      'vmsync_sync_latency_seconds',
    );
    expect(familyOf('vmsync_commands_total', families)).toBe('vmsync_commands');
    expect(familyOf('vmsync_nope_total', families)).toBeUndefined();
  });

  it('reads families from an exposition', () => {
    expect(exposedFamilies('# HELP a_total x\n# TYPE a_total counter\na_total 1\n')).toEqual(
      new Set(['a_total']),
    );
  });
});

describe('the sync-latency dashboard', () => {
  const d = dashboard();
  const panels = d.panels.filter((p) => p.type !== 'row');

  it('has the panels an SRE needs: latency by direction, throughput, errors, DLQ, lag, shards', () => {
    const exprs = panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr)).join('\n');
    for (const metric of [
      'vmsync_sync_latency_seconds_bucket',
      'vmsync_commands_total',
      'vmsync_dead_letters_total',
      'vmsync_consumer_lag_messages',
      'vmsync_email_watcher_shard_mailboxes',
      'vmsync_email_watcher_mailboxes',
    ]) {
      expect(exprs).toContain(metric);
    }
    expect(exprs).toMatch(/histogram_quantile\(0\.99, sum by \(le, direction\)/);
  });

  it('every panel has a title, a description and queries that parse; ids are unique', () => {
    for (const p of panels) {
      expect(p.description, p.title).toBeTruthy();
      expect(p.targets?.length, p.title).toBeGreaterThan(0);
    }
    for (const q of queries()) expect(metricNames(q.expr).length, q.where).toBeGreaterThan(0);
    expect(new Set(d.panels.map((p) => p.id)).size).toBe(d.panels.length);
    for (const p of d.panels) expect(p.gridPos.x + p.gridPos.w, p.title).toBeLessThanOrEqual(24);
  });

  it('uses only data sources that Grafana is provisioned with', () => {
    const [ds] = readYamlDocuments(
      'deploy/observability/grafana/provisioning/datasources/datasources.yaml',
    ) as [{ datasources: Array<{ uid: string; type: string }> }];
    const uids = new Set(ds.datasources.map((x) => x.uid));
    expect(ds.datasources.map((x) => x.type)).toContain('jaeger');
    for (const p of panels) expect(uids.has(p.datasource?.uid ?? ''), p.title).toBe(true);
  });
});

describe('the alert rules', () => {
  it('parse as Prometheus rule groups whose expressions parse', () => {
    const groups = alertRules().groups;
    expect(groups.flatMap((g) => g.rules).length).toBeGreaterThanOrEqual(5);
    for (const rule of groups.flatMap((g) => g.rules)) {
      expect(metricNames(rule.expr).length, rule.alert).toBeGreaterThan(0);
      expect(rule.labels?.severity, rule.alert).toMatch(/^(warning|critical)$/);
      expect(rule.annotations?.summary, rule.alert).toBeTruthy();
    }
  });
});
