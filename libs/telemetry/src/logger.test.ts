import { Secret } from '@vmsync/config';
import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.js';

function capture() {
  const lines: string[] = [];
  return { lines, destination: { write: (line: string) => void lines.push(line) } };
}

describe('createLogger', () => {
  it('writes structured lines with the service and component', () => {
    const { lines, destination } = capture();
    createLogger({ service: 'rules', destination }).child({ component: 'bus' }).info('hello');
    const line = JSON.parse(lines[0] ?? '{}');
    expect(line).toMatchObject({ service: 'rules', component: 'bus', msg: 'hello' });
  });

  it('redacts secret-named fields at any depth', () => {
    const { lines, destination } = capture();
    createLogger({ service: 't', destination }).info(
      { accessToken: 'ya29.abc', auth: { password: 'pw1' }, deep: { x: { private_key: 'k' } } },
      'login',
    );
    expect(lines[0]).not.toMatch(/ya29\.abc|pw1|"k"/);
    expect(lines[0]).toContain('[secret]');
  });

  it('scrubs the value of any loaded Secret from any field, including messages', () => {
    const { lines, destination } = capture();
    const secret = new Secret('hmac-secret-value-123');
    createLogger({ service: 't', destination }).error(
      { err: new Error(`bad ${secret.reveal()}`) },
      `failed with ${secret.reveal()}`,
    );
    expect(lines[0]).not.toContain('hmac-secret-value-123');
  });
});
