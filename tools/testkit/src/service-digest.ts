import type { ServiceProcess } from './service-process.js';

const cut = (line: string) => (line.length > 400 ? `${line.slice(0, 400)}…` : line);

/**
 * What each service was saying, for a failure's message: its last warnings and errors
 * (pino levels 40-60) and its last lines.
 */
export function serviceDigest(services: readonly ServiceProcess[], warnings = 6, last = 5): string {
  return services
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
}
