import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Directory } from './config.js';
import { JWT_BEARER_GRANT, type TokenError, TokenErrors } from './google-responses.js';
import { decideGrant } from './grant.js';
import { AccessTokenStore } from './token-store.js';

export interface RequestLogEntry {
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly ms: number;
  /** Google's `error` code for a refused grant. Never the assertion or a token. */
  readonly error?: string;
  /** The mailbox a granted token opens. */
  readonly subject?: string;
}

export interface TokenEndpointOptions {
  /** The accounts, delegations and users; a function when they can be reloaded. */
  readonly directory: Directory | (() => Directory);
  /** Extra fields for GET /healthz (e.g. which config is loaded). */
  readonly health?: () => object;
  /** Epoch milliseconds. */
  readonly now?: () => number;
  /** Added before every /token answer, to simulate a slow Google. */
  readonly tokenDelayMs?: number;
  readonly onRequest?: (entry: RequestLogEntry) => void;
}

interface Reply {
  readonly status: number;
  readonly body: object;
  readonly error?: string;
  readonly subject?: string;
}

const MAX_BODY = 64 * 1024;

const refusal = (e: TokenError): Reply => ({
  status: e.status,
  body: { error: e.error, error_description: e.error_description },
  error: e.error,
});

/**
 * The HTTP face of the stand-in: `POST /token` (Google's token endpoint), `POST /introspect`
 * (what Dovecot's oauth2 passdb asks), `GET /healthz`.
 */
export function createTokenEndpoint(options: TokenEndpointOptions): Server {
  const now = options.now ?? Date.now;
  const seconds = () => Math.floor(now() / 1000);
  const given = options.directory;
  const directory = typeof given === 'function' ? given : () => given;
  // Tokens outlive a config reload, as Google's outlive a change in the Admin console.
  const store = new AccessTokenStore();

  async function token(form: URLSearchParams): Promise<Reply> {
    if (options.tokenDelayMs) await sleep(options.tokenDelayMs);
    if (form.get('grant_type') !== JWT_BEARER_GRANT) return refusal(TokenErrors.unsupportedGrant);
    const assertion = form.get('assertion');
    if (!assertion) return refusal(TokenErrors.missingAssertion);
    const dir = directory();
    const decision = decideGrant(dir, assertion, seconds());
    if (decision.kind === 'refused') return refusal(decision.reason);
    const body = store.issue(decision, seconds(), dir.tokenLifetimeSeconds);
    return { status: 200, body, subject: decision.email };
  }

  async function route(req: IncomingMessage): Promise<Reply> {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (req.method === 'GET' && path === '/healthz') {
      return { status: 200, body: { status: 'ok', ...options.health?.() } };
    }
    if (req.method !== 'POST') return { status: 405, body: { error: 'method_not_allowed' } };
    if (path === '/token') return token(await readForm(req));
    if (path === '/introspect') {
      const presented = (await readForm(req)).get('token') ?? '';
      return { status: 200, body: store.introspect(presented, seconds()) };
    }
    return { status: 404, body: { error: 'not_found' } };
  }

  return createServer((req, res) => {
    const started = now();
    void route(req)
      .catch(
        (): Reply => ({
          status: 400,
          body: { error: 'invalid_request' },
          error: 'invalid_request',
        }),
      )
      .then((r) => {
        send(res, r.status, r.body);
        options.onRequest?.({
          method: req.method ?? '',
          path: req.url ?? '',
          status: r.status,
          ms: now() - started,
          ...(r.error === undefined ? {} : { error: r.error }),
          ...(r.subject === undefined ? {} : { subject: r.subject }),
        });
      });
  });
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY) throw new Error('body too large');
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if ((req.headers['content-type'] ?? '').includes('application/json')) {
    const json = JSON.parse(text) as Record<string, unknown>;
    return new URLSearchParams(
      Object.entries(json).filter((e): e is [string, string] => typeof e[1] === 'string'),
    );
  }
  return new URLSearchParams(text);
}

function send(res: ServerResponse, status: number, body: object): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-cache, no-store, max-age=0, must-revalidate',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}
