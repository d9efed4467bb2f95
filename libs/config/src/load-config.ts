import { readFileSync } from 'node:fs';
import { VmsyncError } from '@vmsync/errors';
import type { z } from 'zod';

export type Env = Readonly<Record<string, string | undefined>>;

/** Raised at boot for configuration that cannot work. Names every wrong variable. */
export class ConfigError extends VmsyncError {
  constructor(message: string) {
    super('CONFIG_INVALID', message);
    this.name = 'ConfigError';
  }
}

/**
 * For every `VMSYNC_NAME_FILE=/path` in env, adds `VMSYNC_NAME=<file contents, trimmed>`
 * unless it is already set, so any secret may be given as a file (Kubernetes/Docker
 * secrets). Other programs' `*_FILE` variables are none of vmsync's business.
 */
export function resolveFileVariables(env: Env): Env {
  const out: Record<string, string | undefined> = { ...env };
  for (const [name, path] of Object.entries(env)) {
    if (!/^VMSYNC_\w+_FILE$/.test(name) || path === undefined || path === '') continue;
    const target = name.slice(0, -'_FILE'.length);
    if (out[target] !== undefined) continue;
    try {
      out[target] = readFileSync(path, 'utf8').trim();
    } catch (error) {
      throw new ConfigError(
        `${name}: cannot read ${path}: ${(error as NodeJS.ErrnoException).code}`,
      );
    }
  }
  return out;
}

/**
 * Parses the environment once, at boot, against a service's one schema. The error lists
 * each wrong variable by name and never echoes a value (it might be a secret).
 */
export function loadConfig<S extends z.ZodType>(schema: S, env: Env): z.infer<S> {
  const result = schema.safeParse(resolveFileVariables(env));
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => {
    const name = issue.path.join('.') || '(config)';
    return `  ${name}: ${issue.message}`;
  });
  throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
}
