import { inspect } from 'node:util';

const known = new Set<string>();

/**
 * A secret value (service-account key, HMAC secret, credentials). It never turns into
 * text by accident: toString, JSON and util.inspect all print `[secret]`. Every secret
 * created is also registered so the logger can scrub it from any line as a last guard.
 */
export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
    if (value.length >= 6) known.add(value);
  }

  /** The only way to the value: call it where the secret is used, never to print it. */
  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return '[secret]';
  }

  toJSON(): string {
    return '[secret]';
  }

  [inspect.custom](): string {
    return '[secret]';
  }
}

/** The values of every Secret created in this process (for log scrubbing). */
export function knownSecretValues(): ReadonlySet<string> {
  return known;
}

/** Replaces every known secret value in `text` by `[secret]`. */
export function scrubSecrets(text: string): string {
  let out = text;
  for (const value of known) {
    if (out.includes(value)) out = out.split(value).join('[secret]');
  }
  return out;
}
