import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ServiceProcess } from './service-process.js';

const cut = (line: string) => (line.length > 400 ? `${line.slice(0, 400)}…` : line);

export interface DigestOptions {
  /** Also write every service's whole log to a file in this directory (named in the digest). */
  logDir?: string;
  warnings?: number;
  last?: number;
}

/**
 * What each service was saying, for a failure's message (a CI log shows only the test's
 * output): its last warnings and errors (pino levels 40-60) and its last lines.
 */
export function serviceDigest(
  services: readonly ServiceProcess[],
  { logDir, warnings = 6, last = 5 }: DigestOptions = {},
): string {
  const digest = services
    .map((s) => {
      const lines = s.lines;
      const state = s.pid === undefined ? 'not running' : `pid ${s.pid}`;
      return [
        `-- ${s.service} (${state}, ${lines.length} lines); last warnings:`,
        ...lines
          .filter((l) => /"level":(4|5|6)\d/.test(l))
          .slice(-warnings)
          .map(cut),
        '   last lines:',
        ...lines.slice(-last).map(cut),
      ].join('\n');
    })
    .join('\n');
  if (logDir === undefined) return digest;
  const file = join(logDir, `services-${Date.now()}.log`);
  try {
    mkdirSync(logDir, { recursive: true });
    writeFileSync(
      file,
      services.flatMap((s) => s.lines.map((l) => `${s.service} ${l}`)).join('\n'),
    );
    return `${digest}\n(every service's log: ${file})`;
  } catch {
    return digest; // the digest is what matters
  }
}
