import { z } from 'zod';
import { readRepoFile, readYamlDocuments } from './repo.js';

export const DASHBOARD = 'deploy/observability/grafana/dashboards/sync-latency.json';
export const ALERTS = 'deploy/observability/alerts.yml';

const Target = z.object({ refId: z.string(), expr: z.string().min(1) });
const Panel = z.object({
  id: z.number(),
  type: z.string(),
  title: z.string().min(1),
  description: z.string().optional(),
  datasource: z.object({ type: z.string(), uid: z.string() }).optional(),
  targets: z.array(Target).optional(),
  gridPos: z.object({ h: z.number(), w: z.number(), x: z.number(), y: z.number() }),
});
export const Dashboard = z.object({
  uid: z.string().min(1),
  title: z.string().min(1),
  schemaVersion: z.number(),
  panels: z.array(Panel).min(1),
});

export const AlertRules = z.strictObject({
  groups: z.array(
    z.strictObject({
      name: z.string().min(1),
      interval: z.string().optional(),
      rules: z.array(
        z.strictObject({
          alert: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/),
          expr: z.string().min(1),
          for: z
            .string()
            .regex(/^(\d+(ms|s|m|h|d|w|y))+$/)
            .optional(),
          labels: z.record(z.string(), z.string()).optional(),
          annotations: z.record(z.string(), z.string()).optional(),
        }),
      ),
    }),
  ),
});

export function dashboard(): z.infer<typeof Dashboard> {
  return Dashboard.parse(JSON.parse(readRepoFile(DASHBOARD)));
}

export function alertRules(): z.infer<typeof AlertRules> {
  const [doc] = readYamlDocuments(ALERTS);
  return AlertRules.parse(doc);
}

/** Every PromQL expression the dashboard and the alert rules evaluate, with where it is. */
export function queries(): Array<{ where: string; expr: string }> {
  const fromPanels = dashboard().panels.flatMap((p) =>
    (p.targets ?? []).map((t) => ({ where: `panel "${p.title}" ${t.refId}`, expr: t.expr })),
  );
  const fromAlerts = alertRules().groups.flatMap((g) =>
    g.rules.map((r) => ({ where: `alert ${r.alert}`, expr: r.expr })),
  );
  return [...fromPanels, ...fromAlerts];
}
