import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { BusEnv } from './fragments.js';
import { ConfigError, loadConfig } from './load-config.js';
import { Secret, scrubSecrets } from './secret.js';

describe('loadConfig', () => {
  it('parses the bus environment with defaults', () => {
    const config = loadConfig(BusEnv, {
      VMSYNC_KAFKA_BROKERS: '127.0.0.1:1, 127.0.0.1:2',
      VMSYNC_REDIS_URL: 'redis://127.0.0.1:6379',
    });
    expect(config.VMSYNC_KAFKA_BROKERS).toEqual(['127.0.0.1:1', '127.0.0.1:2']);
    expect(config.VMSYNC_DEPLOYMENT).toBe('vmsync');
    expect(config.VMSYNC_REDIS_URL.reveal()).toBe('redis://127.0.0.1:6379');
  });

  it('names every wrong variable and never echoes its value', () => {
    const attempt = () =>
      loadConfig(BusEnv, {
        VMSYNC_REDIS_URL: 'http://user:hunter2-password@x',
        VMSYNC_PARTITIONS: 'many',
      });
    expect(attempt).toThrow(ConfigError);
    try {
      attempt();
    } catch (error) {
      const message = (error as Error).message;
      expect(message).toContain('VMSYNC_KAFKA_BROKERS');
      expect(message).toContain('VMSYNC_REDIS_URL');
      expect(message).toContain('VMSYNC_PARTITIONS');
      expect(message).not.toContain('hunter2');
    }
  });

  it('reads NAME_FILE into NAME, and says which file could not be read', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vmsync-config-'));
    const file = join(dir, 'hmac');
    writeFileSync(file, 'from-a-file-secret\n');
    const schema = z.object({ VMSYNC_HMAC: z.string() });
    expect(loadConfig(schema, { VMSYNC_HMAC_FILE: file }).VMSYNC_HMAC).toBe('from-a-file-secret');
    expect(() => loadConfig(schema, { VMSYNC_HMAC_FILE: join(dir, 'missing') })).toThrow(
      /VMSYNC_HMAC_FILE: cannot read .*missing: ENOENT/,
    );
    // another program's *_FILE variable is left alone, even when it names no file
    expect(() => loadConfig(z.object({}), { TF_CLI_CONFIG_FILE: join(dir, 'none') })).not.toThrow();
  });
});

describe('Secret', () => {
  it('never prints its value', () => {
    const secret = new Secret('s3cr3t-value-42');
    expect(String(secret)).toBe('[secret]');
    expect(JSON.stringify({ secret })).toBe('{"secret":"[secret]"}');
    expect(inspect({ secret })).not.toContain('s3cr3t');
    expect(secret.reveal()).toBe('s3cr3t-value-42');
    expect(scrubSecrets('token s3cr3t-value-42 leaked')).toBe('token [secret] leaked');
  });
});
