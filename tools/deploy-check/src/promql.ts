import { parser } from '@prometheus-io/lezer-promql';

/** Grafana's own variables are not PromQL: stand in a duration for them before parsing. */
function withoutGrafanaVariables(expr: string): string {
  return expr.replace(/\$__(rate_interval|interval|range)\b/g, '5m');
}

/**
 * The metric names a PromQL expression selects (`foo_bucket` stays as written), or an
 * error naming where the expression does not parse.
 */
export function metricNames(expr: string): string[] {
  const text = withoutGrafanaVariables(expr);
  const names = new Set<string>();
  const errors: number[] = [];
  parser.parse(text).iterate({
    enter: (node) => {
      if (node.type.isError) errors.push(node.from);
      if (node.name === 'VectorSelector') {
        const id = node.node.getChild('Identifier');
        if (id) names.add(text.slice(id.from, id.to));
      }
    },
  });
  if (errors.length > 0) {
    throw new Error(`PromQL does not parse at ${errors[0]}: ${text}`);
  }
  return [...names];
}

/** Series Prometheus makes itself, not served by any vmsync /metrics. */
export const PROMETHEUS_SERIES = new Set(['up', 'scrape_duration_seconds', 'ALERTS']);

/** The family a sample name belongs to: `x_bucket`, `x_sum`, `x_count` -> `x`. */
export function familyOf(sample: string, families: ReadonlySet<string>): string | undefined {
  if (families.has(sample)) return sample;
  const base = sample.replace(/_(bucket|sum|count|total|created)$/, '');
  return families.has(base) ? base : undefined;
}

/** Metric families a Prometheus text exposition declares (`# TYPE name kind`). */
export function exposedFamilies(exposition: string): Set<string> {
  const families = new Set<string>();
  for (const line of exposition.split('\n')) {
    const m = /^# TYPE (\S+) \S+/.exec(line);
    if (m?.[1]) families.add(m[1]);
  }
  return families;
}
