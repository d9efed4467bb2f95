/**
 * The local stack's environment for integration tests (scripts/stack/google.sh and
 * dovecot.sh write it). Fails with the command to run when a variable is missing.
 */
export function stackEnv<const K extends string>(...names: K[]): Record<K, string> {
  const missing = names.filter((n) => !process.env[n]);
  if (missing.length > 0) {
    throw new Error(
      `integration env missing: ${missing.join(', ')}. Start the stack and export its env: ` +
        'bash scripts/stack/google.sh up && bash scripts/stack/dovecot.sh up && ' +
        'set -a; . .stack/google.env; . .stack/dovecot.env; set +a',
    );
  }
  return Object.fromEntries(names.map((n) => [n, process.env[n] as string])) as Record<K, string>;
}
