import { Counter, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { startOpsServer } from './ops-server.js';

describe('ops server', () => {
  it('answers health, readiness with its reason, and metrics', async () => {
    const registry = new Registry();
    new Counter({ name: 'vmsync_test_total', help: 'test', registers: [registry] }).inc(3);
    let ready: true | string = 'kafka not connected';
    const ops = await startOpsServer({ host: '127.0.0.1', port: 0, registry, ready: () => ready });
    const base = `http://127.0.0.1:${ops.port}`;
    try {
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
      const notReady = await fetch(`${base}/readyz`);
      expect(notReady.status).toBe(503);
      expect(await notReady.text()).toContain('kafka not connected');
      ready = true;
      expect((await fetch(`${base}/readyz`)).status).toBe(200);
      expect(await (await fetch(`${base}/metrics`)).text()).toContain('vmsync_test_total 3');
      expect((await fetch(`${base}/nope`)).status).toBe(404);
    } finally {
      await ops.close();
    }
  });
});
