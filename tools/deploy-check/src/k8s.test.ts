import { describe, expect, it } from 'vitest';
import { type Manifest, manifests, validateManifest } from './k8s-models.js';
import { unknownFields } from './k8s-strict.js';

interface Container {
  name: string;
  env?: Array<{
    name: string;
    value?: string;
    valueFrom?: {
      secretKeyRef?: { name: string };
      fieldRef?: { fieldPath: string };
    };
  }>;
  envFrom?: Array<{ configMapRef?: { name: string } }>;
  ports?: Array<{ name?: string; containerPort: number }>;
  livenessProbe?: { httpGet?: { path: string; port: string | number } };
  readinessProbe?: { httpGet?: { path: string; port: string | number } };
  resources?: { requests?: { cpu?: string; memory?: string }; limits?: { memory?: string } };
  volumeMounts?: Array<{ name: string }>;
}
interface PodSpec {
  containers: Container[];
  volumes?: Array<{ name: string; secret?: { secretName: string }; configMap?: { name: string } }>;
  securityContext?: { runAsNonRoot?: boolean };
}
type Workload = Manifest & {
  spec: { replicas?: number; template: { spec: PodSpec; metadata: { labels: object } } };
};

const all = manifests();
const workloads = all.filter((m): m is Workload => ['Deployment', 'StatefulSet'].includes(m.kind));
const named = (kind: string, name: string) =>
  all.find((m) => m.kind === kind && m.metadata.name === name);
const config = named('ConfigMap', 'vmsync-config')?.data ?? {};
const SERVICES = [
  'rules',
  'voicemail-watcher',
  'voicemail-actuator',
  'email-watcher',
  'mail-actuator',
];

describe('Kubernetes manifests (deploy/k8s)', () => {
  it('every object is valid against its kind’s schema (Kubernetes, KEDA)', async () => {
    expect(all.length).toBeGreaterThan(10);
    for (const m of all) await validateManifest(m);
  });

  it('the schema check fails on a wrong object', async () => {
    const bad = { ...(named('Deployment', 'rules') as Manifest), spec: { replicas: 'two' } };
    await expect(validateManifest(bad as Manifest)).rejects.toThrow(/rules/);
  });

  it('runs each of the five services, each container probed on /healthz and /readyz', () => {
    const services = workloads.flatMap((w) =>
      w.spec.template.spec.containers.map(
        (c) => c.env?.find((e) => e.name === 'SERVICE')?.value ?? '',
      ),
    );
    expect(new Set(services)).toEqual(new Set(SERVICES));
    for (const w of workloads) {
      expect(w.spec.template.spec.securityContext?.runAsNonRoot, w.metadata.name).toBe(true);
      for (const c of w.spec.template.spec.containers) {
        const port = c.ports?.[0];
        expect(c.livenessProbe?.httpGet?.path, c.name).toBe('/healthz');
        expect(c.readinessProbe?.httpGet?.path, c.name).toBe('/readyz');
        expect([port?.name, port?.containerPort]).toContain(c.readinessProbe?.httpGet?.port);
        expect(String(port?.containerPort)).toBe(config.VMSYNC_HTTP_PORT);
        expect(c.resources?.requests?.cpu, c.name).toBeTruthy();
        expect(c.resources?.requests?.memory, c.name).toBeTruthy();
        expect(c.resources?.limits?.memory, c.name).toBeTruthy();
      }
    }
  });

  it('every Secret, ConfigMap and volume a pod uses is declared', () => {
    for (const w of workloads) {
      const pod = w.spec.template.spec;
      const volumes = new Set((pod.volumes ?? []).map((v) => v.name));
      for (const v of pod.volumes ?? []) {
        if (v.secret) expect(named('Secret', v.secret.secretName), v.name).toBeDefined();
        if (v.configMap) expect(named('ConfigMap', v.configMap.name), v.name).toBeDefined();
      }
      for (const c of pod.containers) {
        for (const m of c.volumeMounts ?? []) expect(volumes.has(m.name), m.name).toBe(true);
        for (const e of c.env ?? []) {
          const ref = e.valueFrom?.secretKeyRef?.name;
          if (ref) expect(named('Secret', ref), `${c.name} ${e.name}`).toBeDefined();
        }
        for (const f of c.envFrom ?? []) {
          if (f.configMapRef) expect(named('ConfigMap', f.configMapRef.name)).toBeDefined();
        }
      }
    }
  });

  it('email-watchers: a StatefulSet with one replica per shard, named per pod', () => {
    const sts = named('StatefulSet', 'email-watcher') as Workload | undefined;
    expect(sts?.spec.replicas).toBe(Number(config.VMSYNC_PARTITIONS));
    const env = sts?.spec.template.spec.containers[0]?.env ?? [];
    expect(env.find((e) => e.name === 'VMSYNC_INSTANCE')?.valueFrom?.fieldRef?.fieldPath).toBe(
      'metadata.name',
    );
  });

  it('rules and mail-actuator scale on their consumer group’s lag, up to the partitions', () => {
    const groups: Record<string, string[]> = {
      rules: ['voicemail-changed', 'email-changed'],
      'mail-actuator': ['mail-commands'],
    };
    for (const [name, topics] of Object.entries(groups)) {
      const so = named('ScaledObject', name) as
        | (Manifest & {
            spec: {
              scaleTargetRef: { name: string };
              maxReplicaCount: number;
              triggers: Array<{ type: string; metadata: Record<string, string> }>;
            };
          })
        | undefined;
      expect(so?.spec.scaleTargetRef.name).toBe(name);
      expect(named('Deployment', name)).toBeDefined();
      expect(so?.spec.maxReplicaCount).toBeLessThanOrEqual(Number(config.VMSYNC_PARTITIONS));
      for (const t of so?.spec.triggers ?? []) {
        expect(t.type).toBe('kafka');
        expect(t.metadata.consumerGroup).toBe(`${config.VMSYNC_DEPLOYMENT}-${name}`);
      }
      expect(so?.spec.triggers.map((t) => t.metadata.topic)).toEqual(topics);
    }
  });

  it('every PodDisruptionBudget selects a workload', () => {
    const pdbs = all.filter((m) => m.kind === 'PodDisruptionBudget') as Array<
      Manifest & { spec: { selector: { matchLabels: Record<string, string> } } }
    >;
    expect(pdbs.map((p) => p.metadata.name).sort()).toEqual([
      'email-watcher',
      'mail-actuator',
      'rules',
    ]);
    for (const pdb of pdbs) {
      const selected = workloads.filter((w) =>
        Object.entries(pdb.spec.selector.matchLabels).every(
          ([k, v]) => (w.spec.template.metadata.labels as Record<string, string>)[k] === v,
        ),
      );
      expect(selected.length, pdb.metadata.name).toBe(1);
    }
  });
});

describe('Kubernetes manifests, strictly', () => {
  it('set no field their kind does not have (what kubectl --validate=strict refuses)', () => {
    expect(unknownFields(all)).toEqual([]);
  });

  it('the strict check names a misspelt field, where it is', () => {
    const rules = named('Deployment', 'rules') as Workload;
    const pod = rules.spec.template.spec;
    const typo = {
      ...rules,
      spec: {
        ...rules.spec,
        template: {
          ...rules.spec.template,
          spec: { ...pod, containers: [{ ...pod.containers[0], imagePullPolicyy: 'Always' }] },
        },
      },
    } as Manifest;
    const errors = unknownFields([typo]);
    expect(errors.join('\n')).toMatch(
      /10-rules\.yaml: Deployment\/rules: .*imagePullPolicyy.* does not exist/,
    );
  });
});
