import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import type { CliContext } from '../context.js';
import { type Diagnosis, diagnoseDomain } from '../diagnose-domain.js';
import {
  constantTimeEqual,
  cookieOf,
  LoginThrottle,
  SESSION_COOKIE,
  type Session,
  Sessions,
  sameOrigin,
  sessionCookie,
} from './admin-auth.js';
import { readAdminData } from './admin-data.js';
import { dashboardPage, loginPage } from './admin-page.js';
import { CSS } from './html.js';
import { forbidden, readForm, redirect, send } from './respond.js';

export interface AdminServerOptions {
  ctx: CliContext;
  /** The administrator's password (from the deployment's secrets). */
  password: string;
  /** Loopback unless told otherwise. */
  host: string;
  port: number;
  /** The public origin behind a reverse proxy; else the address it listens on. */
  origin?: string;
  log?: (line: string) => void;
}

export interface AdminServer {
  url: string;
  close(): Promise<void>;
}

const DomainTestForm = z.object({
  csrf: z.string().min(1),
  domain: z.string().min(1).max(253),
  user: z.email().max(320),
});

/**
 * The admin page (docs/cli.md): domains and their credential health, users and their
 * sync state, recent syncs, what needs an administrator, and a domain test to run. Every
 * page but sign-in needs a session; every POST needs the page's own Origin and, once
 * signed in, the session's CSRF token.
 */
export async function startAdminServer(o: AdminServerOptions): Promise<AdminServer> {
  const sessions = new Sessions();
  const throttle = new LoginThrottle();
  const lastTests = new Map<string, Diagnosis>();
  const log = o.log ?? (() => {});
  let allowedHosts = new Set<string>();

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (!allowedHosts.has(req.headers.host ?? '')) {
      send(res, 421, 'unknown host\n', { 'content-type': 'text/plain' });
      return;
    }
    // Behind a proxy, the configured origin; else the address used, one of the allowed hosts.
    const own = o.origin ?? `http://${req.headers.host}`;
    const path = new URL(req.url ?? '/', own).pathname;
    const id = cookieOf(req.headers.cookie, SESSION_COOKIE);
    const session = sessions.get(id);
    const fromPage = sameOrigin(own, req.headers);
    if (req.method === 'GET' && path === '/admin.css') {
      send(res, 200, CSS, { 'content-type': 'text/css; charset=utf-8' });
      return;
    }
    if (req.method === 'GET' && path === '/login') {
      send(res, 200, loginPage(null));
      return;
    }
    if (req.method === 'POST' && path === '/login') {
      if (!fromPage) return forbidden(res);
      if (throttle.blocked()) {
        send(res, 429, loginPage('Too many wrong passwords: try again in a minute.'));
        return;
      }
      const form = await readForm(req);
      if (!constantTimeEqual(form.get('password') ?? '', o.password)) {
        throttle.failed();
        log(`sign-in refused from ${req.socket.remoteAddress}`);
        await new Promise((r) => setTimeout(r, 300));
        send(res, 401, loginPage('Wrong password.'));
        return;
      }
      const created = sessions.create();
      log(`administrator signed in from ${req.socket.remoteAddress}`);
      redirect(res, '/', {
        'set-cookie': sessionCookie(created.id, own.startsWith('https:'), 8 * 3600),
      });
      return;
    }
    if (req.method === 'GET' && path === '/') {
      if (!session) return redirect(res, '/login');
      send(res, 200, dashboardPage(await readAdminData(o.ctx, lastTests), session.csrf, null));
      return;
    }
    if (req.method === 'POST' && (path === '/domain-test' || path === '/logout')) {
      const form = await readForm(req);
      if (!session || !fromPage || !csrfOk(session, form.get('csrf') ?? undefined))
        return forbidden(res);
      if (path === '/logout') {
        sessions.end(id);
        redirect(res, '/login', { 'set-cookie': sessionCookie('', false, 0) });
        return;
      }
      const input = DomainTestForm.safeParse(Object.fromEntries(form));
      if (!input.success) {
        send(res, 400, 'the domain test needs a domain and a user address\n', {
          'content-type': 'text/plain',
        });
        return;
      }
      const { domain, user } = input.data;
      const diagnosis = await diagnoseDomain(o.ctx.domainsFile().load(), user).catch(
        (error: Error): Diagnosis => ({
          domain,
          user,
          ok: false,
          steps: [],
          problem: { code: 'CONFIG_INVALID', message: error.message },
          trash: null,
        }),
      );
      lastTests.set(domain.toLowerCase(), diagnosis);
      log(`domain test ${domain} as ${user}: ${diagnosis.ok ? 'ok' : diagnosis.problem?.code}`);
      send(res, 200, dashboardPage(await readAdminData(o.ctx, lastTests), session.csrf, diagnosis));
      return;
    }
    send(res, 404, 'not found\n', { 'content-type': 'text/plain' });
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      log(`admin page error: ${(error as Error).message}`);
      if (!res.headersSent) send(res, 500, 'internal error\n', { 'content-type': 'text/plain' });
      else res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const hostPart = o.host.includes(':') ? `[${o.host}]` : o.host;
  allowedHosts = new Set([new URL(o.origin ?? `http://${hostPart}:${port}`).host]);
  if (o.origin === undefined && ['127.0.0.1', '::1', 'localhost'].includes(o.host)) {
    for (const h of ['127.0.0.1', 'localhost', '[::1]']) allowedHosts.add(`${h}:${port}`);
  }
  return {
    url: o.origin ?? `http://${hostPart}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function csrfOk(session: Session, token: string | undefined): boolean {
  return token !== undefined && constantTimeEqual(token, session.csrf);
}
