/**
 * What the Dockerfile's build stage makes, made here without a Docker engine: the files it
 * copies, its RUN lines as written (pnpm offline, from the store bootstrap filled), and
 * then each service started from the result the way the image's ENTRYPOINT starts it.
 */
import { execSync, spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildStage } from './dockerfile.js';
import { ROOT } from './repo.js';

const SERVICES = [
  'rules',
  'voicemail-watcher',
  'voicemail-actuator',
  'email-watcher',
  'mail-actuator',
];
const app = mkdtempSync(join(tmpdir(), 'vmsync-image-'));

beforeAll(() => {
  const stage = buildStage();
  for (const source of stage.copied) {
    cpSync(join(ROOT, source), join(app, source), {
      recursive: true,
      filter: (src) => !src.includes('node_modules'),
    });
  }
  for (const run of stage.runs.filter((r) => !r.startsWith('npm install -g'))) {
    const command = run.startsWith('pnpm install') ? `${run} --offline --reporter=silent` : run;
    execSync(command, { cwd: app, stdio: 'pipe' });
  }
}, 120_000);

afterAll(() => rmSync(app, { recursive: true, force: true }));

/** Runs a service as the image does; resolves with its output when it exits or logs `started`. */
function run(service: string, env: Record<string, string>, timeoutMs = 30_000) {
  return new Promise<{ code: number | null; out: string }>((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', `services/${service}/src/main.ts`], {
      cwd: app,
      env: { PATH: process.env.PATH ?? '', NODE_ENV: 'production', ...env },
    });
    let out = '';
    let stopping = false;
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      // Once: a second signal means "exit now" to a service.
      if (!stopping && /"msg":"[^"]* started"/.test(out)) {
        stopping = true;
        child.kill('SIGTERM');
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

describe('the image (Dockerfile build stage)', () => {
  it('holds the services and libs with production dependencies only, tsx included', () => {
    expect(readdirSync(join(app, 'tools'))).toEqual(['cli']);
    const store = readdirSync(join(app, 'node_modules/.pnpm'));
    expect(store.some((p) => p.startsWith('tsx@'))).toBe(true);
    for (const dev of [
      'vitest@',
      'typescript@',
      '@biomejs+biome@',
      'fast-check@',
      'kubernetes-models@',
    ]) {
      expect(
        store.filter((p) => p.startsWith(dev)),
        dev,
      ).toEqual([]);
    }
    expect(
      execSync(`find ${app}/libs ${app}/services ${app}/tools -name '*.test.ts'`).toString(),
    ).toBe('');
  });

  it('the operator CLI loads from it (docker compose exec ... tools/cli/src/main.ts)', () => {
    const out = execSync(`${process.execPath} --import tsx tools/cli/src/main.ts help`, {
      cwd: app,
      env: { PATH: process.env.PATH ?? '', NODE_ENV: 'production' },
    }).toString();
    expect(out).toContain('domain');
  });

  it('every service loads from it (its modules resolve; it stops at its configuration)', async () => {
    for (const service of SERVICES) {
      const { code, out } = await run(service, {});
      expect(out, service).toContain('invalid configuration');
      expect(out, service).not.toContain('ERR_MODULE_NOT_FOUND');
      expect(code, service).not.toBe(0);
    }
  });

  it('the rules service starts from it against the stack and stops on SIGTERM', async () => {
    const prefix = `image-${Date.now().toString(36)}`;
    const { code, out } = await run('rules', {
      VMSYNC_KAFKA_BROKERS: process.env.VMSYNC_KAFKA_BROKERS ?? '',
      VMSYNC_REDIS_URL: process.env.VMSYNC_REDIS_URL ?? '',
      VMSYNC_DEPLOYMENT: prefix,
      VMSYNC_TOPIC_PREFIX: `${prefix}.`,
      VMSYNC_REF_SECRET: 'image-layout-test-secret',
      OTEL_TRACES_EXPORTER: 'none',
      OTEL_METRICS_EXPORTER: 'none',
      OTEL_LOGS_EXPORTER: 'none',
    });
    expect(out).toContain('rules service started');
    expect(code).toBe(0);
  });
});
