import { scrubSecrets } from '@vmsync/config';
import { type DestinationStream, type Logger, pino } from 'pino';

export type { Logger } from 'pino';

/** Field names whose values are never printed, wherever they sit in a log object. */
const REDACT = [
  'password',
  'pass',
  'accessToken',
  'access_token',
  'private_key',
  'privateKey',
  'secret',
  'authorization',
  'assertion',
  'token',
];

/**
 * The process's root logger: structured JSON (pino), one child per component. Two guards
 * keep secrets out: known field names are redacted, and every line is scrubbed of the
 * values of all Secrets the process loaded (config), whatever field they hide in.
 */
export function createLogger(options: {
  service: string;
  level?: string;
  destination?: DestinationStream;
}): Logger {
  const destination = options.destination ?? pino.destination({ dest: 1, sync: false });
  const scrubbing: DestinationStream = {
    write: (line: string) => destination.write(scrubSecrets(line)),
  };
  return pino(
    {
      name: options.service,
      level: options.level ?? 'info',
      base: { service: options.service },
      redact: {
        paths: REDACT.flatMap((key) => [key, `*.${key}`, `*.*.${key}`]),
        censor: '[secret]',
      },
    },
    scrubbing,
  );
}
