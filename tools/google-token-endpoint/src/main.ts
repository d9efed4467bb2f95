/**
 * Stand-in for Google's OAuth 2.0 token endpoint, `https://oauth2.googleapis.com/token`,
 * for the service-account JWT-bearer grant with domain-wide delegation, plus the token
 * introspection Dovecot's oauth2 passdb needs to accept the tokens it mints.
 *
 * Why: Google is not reachable from the development and CI machines, and the admin
 * diagnostics (missing delegation, deleted key, clock skew, unknown user) must be tested
 * against the answers Google really gives. The behaviour follows Google Identity's "Using
 * OAuth 2.0 for Server to Server Applications" (the assertion's claims, the response, "JWT
 * error codes") and Google Workspace Admin Help's "Control API access with domain-wide
 * delegation" (delegation is per client id and scope, set in one domain's Admin console).
 * See google-responses.ts for the exact answers.
 *
 *   tsx tools/google-token-endpoint/src/main.ts [config.json]
 * Env: see env.ts. SIGHUP reloads the config (issued tokens stay valid); SIGTERM/SIGINT
 * close the listener and exit.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { buildDirectory, type Directory, EndpointConfig } from './config.js';
import { EndpointEnv } from './env.js';
import { createTokenEndpoint } from './server.js';

const env = EndpointEnv.parse(process.env);
const configPath = process.argv[2] ?? env.VMSYNC_TOKEN_ENDPOINT_CONFIG;
if (configPath === undefined) {
  console.error(
    'google-token-endpoint: give the config path as argument or VMSYNC_TOKEN_ENDPOINT_CONFIG',
  );
  process.exit(2);
}
const log = (fields: object) =>
  process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), ...fields })}\n`);

interface Loaded {
  readonly directory: Directory;
  /** sha256 of the file, shown by /healthz so scripts can tell which config is live. */
  readonly sha256: string;
  readonly users: number;
  readonly tokenLifetimeSeconds: number;
}
function load(path: string): Loaded {
  const text = readFileSync(path, 'utf8');
  const config = EndpointConfig.parse(JSON.parse(text));
  return {
    directory: buildDirectory(config),
    sha256: createHash('sha256').update(text).digest('hex'),
    users: config.users.length,
    tokenLifetimeSeconds: config.tokenLifetimeSeconds,
  };
}

let loaded = load(configPath);
const server = createTokenEndpoint({
  directory: () => loaded.directory,
  health: () => ({ config: loaded.sha256, users: loaded.users }),
  tokenDelayMs: env.VMSYNC_TOKEN_DELAY_MS,
  onRequest: (entry) => log({ msg: 'request', ...entry }),
});
server.listen(env.VMSYNC_GOOGLE_PORT, env.VMSYNC_GOOGLE_HOST, () =>
  log({
    msg: 'listening',
    url: `http://${env.VMSYNC_GOOGLE_HOST}:${env.VMSYNC_GOOGLE_PORT}`,
    users: loaded.users,
    tokenLifetimeSeconds: loaded.tokenLifetimeSeconds,
    tokenDelayMs: env.VMSYNC_TOKEN_DELAY_MS,
  }),
);

// SIGHUP re-reads the config (users, delegations, keys) and keeps the tokens already issued.
process.on('SIGHUP', () => {
  try {
    loaded = load(configPath);
    log({ msg: 'reloaded', users: loaded.users, config: loaded.sha256 });
  } catch (error) {
    log({ msg: 'reload failed, keeping the old config', error: String(error) });
  }
});

let stopping = false;
function stop(signal: string): void {
  if (stopping) return;
  stopping = true;
  log({ msg: 'stopping', signal });
  server.close(() => process.exit(0));
  server.closeAllConnections();
}
process.once('SIGTERM', () => stop('SIGTERM'));
process.once('SIGINT', () => stop('SIGINT'));
