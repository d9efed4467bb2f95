import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { kafkaSecurity, redisConnection } from './connections.js';
import { BusEnv } from './fragments.js';
import { ConfigError, loadConfig } from './load-config.js';

const base = { VMSYNC_KAFKA_BROKERS: 'k1:9093', VMSYNC_REDIS_URL: 'redis://127.0.0.1:6379' };
const bus = (over: Record<string, string>) => loadConfig(BusEnv, { ...base, ...over });
const dir = mkdtempSync(join(tmpdir(), 'vmsync-conn-'));
const ca = join(dir, 'ca.pem');
writeFileSync(ca, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');

describe('kafkaSecurity', () => {
  it('plaintext and no SASL by default', () => {
    expect(kafkaSecurity(bus({}))).toEqual({});
  });

  it('TLS with the system CAs, or a private CA from a file', () => {
    expect(kafkaSecurity(bus({ VMSYNC_KAFKA_SSL: 'true' }))).toEqual({ ssl: true });
    expect(kafkaSecurity(bus({ VMSYNC_KAFKA_SSL: 'true', VMSYNC_KAFKA_SSL_CA_FILE: ca }))).toEqual({
      ssl: { ca: [expect.stringContaining('BEGIN CERTIFICATE')] },
    });
  });

  it('SASL with the password from a file, never printed by the config', () => {
    const secretFile = join(dir, 'kafka-password');
    writeFileSync(secretFile, 'kafka-pass-from-file\n');
    const env = bus({
      VMSYNC_KAFKA_SASL_MECHANISM: 'scram-sha-512',
      VMSYNC_KAFKA_SASL_USERNAME: 'vmsync',
      VMSYNC_KAFKA_SASL_PASSWORD_FILE: secretFile,
    });
    expect(JSON.stringify(env)).not.toContain('kafka-pass-from-file');
    expect(kafkaSecurity(env).sasl).toEqual({
      mechanism: 'scram-sha-512',
      username: 'vmsync',
      password: 'kafka-pass-from-file',
    });
  });

  it('names what is missing or contradictory', () => {
    expect(() => kafkaSecurity(bus({ VMSYNC_KAFKA_SASL_MECHANISM: 'plain' }))).toThrow(
      /VMSYNC_KAFKA_SASL_USERNAME and VMSYNC_KAFKA_SASL_PASSWORD/,
    );
    expect(() => kafkaSecurity(bus({ VMSYNC_KAFKA_SASL_USERNAME: 'u' }))).toThrow(
      /VMSYNC_KAFKA_SASL_MECHANISM/,
    );
    expect(() => kafkaSecurity(bus({ VMSYNC_KAFKA_SSL_CA_FILE: ca }))).toThrow(/VMSYNC_KAFKA_SSL /);
    expect(() =>
      kafkaSecurity(bus({ VMSYNC_KAFKA_SSL: '1', VMSYNC_KAFKA_SSL_CA_FILE: join(dir, 'none') })),
    ).toThrow(/VMSYNC_KAFKA_SSL_CA_FILE: cannot read .*none: ENOENT/);
    expect(() => bus({ VMSYNC_KAFKA_SASL_MECHANISM: 'gssapi' })).toThrow(ConfigError);
  });
});

describe('redisConnection', () => {
  it('takes redis:// or rediss:// (TLS) with a private CA and a password kept apart', () => {
    expect(redisConnection(bus({}))).toEqual({ url: 'redis://127.0.0.1:6379' });
    const tls = redisConnection(
      bus({
        VMSYNC_REDIS_URL: 'rediss://redis.internal:6380',
        VMSYNC_REDIS_TLS_CA_FILE: ca,
        VMSYNC_REDIS_PASSWORD: 'redis-pass-123',
      }),
    );
    expect(tls).toEqual({
      url: 'rediss://redis.internal:6380',
      password: 'redis-pass-123',
      tls: { ca: [expect.stringContaining('BEGIN CERTIFICATE')] },
    });
  });

  it('refuses a CA without TLS and a URL of another scheme, without echoing the URL', () => {
    expect(() => redisConnection(bus({ VMSYNC_REDIS_TLS_CA_FILE: ca }))).toThrow(/rediss:\/\//);
    try {
      redisConnection(bus({ VMSYNC_REDIS_URL: 'redisx://:hunter2-pw@h' }));
      expect.unreachable();
    } catch (error) {
      expect((error as Error).message).toMatch(/VMSYNC_REDIS_URL must start/);
      expect((error as Error).message).not.toContain('hunter2');
    }
  });
});
