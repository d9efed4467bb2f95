import { describe, expect, it } from 'vitest';
import { runCliCaptured } from './testing.js';

const env = { VMSYNC_DEPLOYMENT: 'unit' };

describe('runCli: commands, usage and exit codes', () => {
  it('prints the commands for help (exit 0) and refuses an unknown one (exit 2)', async () => {
    const help = await runCliCaptured(['help'], env);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('domain test');
    expect(help.stdout).toContain('Exit codes:');
    const unknown = await runCliCaptured(['domian', 'add'], env);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown command "domian add"');
  });

  it('an unknown option or a missing argument is a usage error naming the usage (exit 2)', async () => {
    const option = await runCliCaptured(['domain', 'list', '--frobnicate'], env);
    expect(option.code).toBe(2);
    expect(option.stderr).toContain('usage: vmsync domain list');
    const missing = await runCliCaptured(['plan'], env);
    expect(missing.code).toBe(2);
  });

  it('a missing or invalid variable is a configuration error naming it (exit 3), also in JSON', async () => {
    const run = await runCliCaptured(['status', 'a@b.test', '--json'], env);
    expect(run.code).toBe(3);
    expect(run.json).toMatchObject({ ok: false, error: { code: 'CLI_CONFIG' } });
    expect(JSON.stringify(run.json)).toContain('VMSYNC_REDIS_URL is not set');
    const bad = await runCliCaptured(['users'], { VMSYNC_DEPLOYMENT: 'Not Valid' });
    expect(bad.code).toBe(3);
    expect(bad.stderr).toContain('VMSYNC_DEPLOYMENT');
  });

  it('an unreachable Redis exits 4 and names the variable, not the URL', async () => {
    const run = await runCliCaptured(['status'], {
      ...env,
      VMSYNC_REDIS_URL: 'redis://:hunter2@127.0.0.1:1',
    });
    expect(run.code).toBe(4);
    expect(run.stderr).toContain('VMSYNC_REDIS_URL');
    expect(run.stderr).not.toContain('hunter2');
  });
});
