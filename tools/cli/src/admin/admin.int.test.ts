/**
 * The admin page in headless Chromium (Debian's, driven by playwright-core) against a
 * real pipeline: sign in, see the domain, the users and a sync with its latency, run a
 * domain test from the page. An unauthenticated request and forged cross-site requests
 * get nothing. Screenshots go to .screenshots/ (gitignored).
 */
import { existsSync, mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { World } from '@vmsync/e2e/world';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCliEnv } from '../cli-env.js';
import { CliContext } from '../context.js';
import { Output } from '../output.js';
import { type AdminServer, startAdminServer } from './admin-server.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../../../..');
const SHOTS = join(ROOT, '.screenshots');
const CHROMIUM = process.env.VMSYNC_CHROMIUM ?? '/usr/bin/chromium';
const PASSWORD = 'correct horse battery staple';
const world = new World('admin', 25, 2); // user25: WAV attached; user26: text only
const USER = 'user25@example.test';

let admin: AdminServer;
let ctx: CliContext;
let browser: Browser;
let attacker: Server;
const logLines: string[] = [];
const domainTests = () => logLines.filter((l) => l.startsWith('domain test')).length;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: run scripts/bootstrap.sh`);
  mkdirSync(SHOTS, { recursive: true });
  await world.start();
  // A real sync to show: the user listens on the phone, vmsync marks the email read.
  const pair = await world.pair(0);
  await pair.phone.act('listen', pair.msgId);
  await world.settle(pair, { folder: 'saved', email: { folder: 'INBOX', seen: true } });
  ctx = new CliContext(
    loadCliEnv({ ...process.env, ...world.env }),
    new Output(
      true,
      () => {},
      () => {},
    ),
  );
  admin = await startAdminServer({
    ctx,
    password: PASSWORD,
    host: '127.0.0.1',
    port: 0,
    log: (l) => logLines.push(l),
  });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox'],
  });
  // The attacker's page auto-submits a form to the admin page.
  attacker = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end(`<form id="f" method="post" action="${admin.url}/domain-test">
<input name="domain" value="example.test"><input name="user" value="${USER}">
<input name="csrf" value="guessed"></form><script>document.getElementById('f').submit()</script>`);
  });
  await new Promise<void>((r) => attacker.listen(0, '127.0.0.1', r));
}, 240_000);

afterAll(async () => {
  await browser?.close();
  attacker?.close();
  await admin?.close();
  await ctx?.close();
  await world.stop();
});

async function signIn(page: Page): Promise<void> {
  await page.goto(`${admin.url}/`);
  expect(new URL(page.url()).pathname).toBe('/login');
  await page.fill('input[name=password]', PASSWORD);
  await Promise.all([page.waitForURL(`${admin.url}/`), page.click('button[type=submit]')]);
}

describe('admin page', () => {
  it('lets no one in without signing in', async () => {
    const get = await fetch(`${admin.url}/`, { redirect: 'manual' });
    expect(get.status).toBe(303);
    expect(get.headers.get('location')).toBe('/login');
    expect(await get.text()).not.toContain(USER);
    const forged = await fetch(`${admin.url}/`, {
      redirect: 'manual',
      headers: { cookie: 'vmsync_admin=made-up' },
    });
    expect(forged.status).toBe(303);
    const post = await fetch(`${admin.url}/domain-test`, {
      method: 'POST',
      headers: { origin: admin.url, 'content-type': 'application/x-www-form-urlencoded' },
      body: `domain=example.test&user=${USER}&csrf=x`,
    });
    expect(post.status).toBe(403);
    expect(await post.text()).toBe('forbidden\n');
    const wrong = await fetch(`${admin.url}/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { origin: admin.url, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'password=guess',
    });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('set-cookie')).toBeNull();
    expect(domainTests()).toBe(0);
  });

  it("shows the pipeline's state once signed in, and runs a domain test from the page", async () => {
    const page = await browser.newPage();
    await signIn(page);
    const cookie = (await page.context().cookies()).find((c) => c.name === 'vmsync_admin');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
    const domains = await page.textContent('#domains');
    expect(domains).toContain('example.test');
    expect(domains).toMatch(/ok/);
    const users = (await page.textContent('#users')) ?? '';
    expect(users).toContain(USER);
    expect(users).toContain('watching');
    expect(users).toContain('user26@example.test');
    const syncs = (await page.textContent('#syncs')) ?? '';
    expect(syncs).toContain('ensure-read');
    expect(syncs).toMatch(/\d+(\.\d+)? ms/);
    await page.screenshot({ path: join(SHOTS, 'admin-dashboard.png'), fullPage: true });

    await page.selectOption('#domain-test select[name=domain]', 'example.test');
    await page.fill('#domain-test input[name=user]', USER);
    await Promise.all([
      page.waitForURL(`${admin.url}/domain-test`),
      page.click('#domain-test button'),
    ]);
    const result = page.locator('#domain-test-result');
    expect(await result.getAttribute('data-ok')).toBe('true');
    expect(await result.textContent()).toContain(
      'vmsync can open this mailbox and delete to "Trash"',
    );
    expect(domainTests()).toBe(1);
    await page.screenshot({ path: join(SHOTS, 'admin-domain-test.png'), fullPage: true });
    await page.close();
  });

  it('refuses forged requests from another origin, with or without the session cookie', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await signIn(page); // the victim is signed in, in this browser
    const { port } = attacker.address() as AddressInfo;
    // Same site (127.0.0.1), other origin: the cookie goes along; the Origin check stops it.
    // Another site (localhost): SameSite=Strict keeps the cookie back.
    for (const origin of [`http://127.0.0.1:${port}`, `http://localhost:${port}`]) {
      const answered = page.waitForResponse((r) => r.url() === `${admin.url}/domain-test`);
      await page.goto(`${origin}/`);
      const response = await answered;
      expect(response.status()).toBe(403);
      expect(await response.text()).toBe('forbidden\n');
    }
    await page.screenshot({ path: join(SHOTS, 'admin-forged-request.png') });
    expect(domainTests()).toBe(1);
    // A request with the right Origin but without the session's CSRF token: refused too.
    const cookie = (await context.cookies()).find((c) => c.name === 'vmsync_admin');
    const noToken = await fetch(`${admin.url}/domain-test`, {
      method: 'POST',
      headers: {
        origin: admin.url,
        cookie: `vmsync_admin=${cookie?.value}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: `domain=example.test&user=${USER}&csrf=guessed`,
    });
    expect(noToken.status).toBe(403);
    expect(domainTests()).toBe(1);
    await context.close();
  });
});
