import type { Diagnosis } from '../diagnose-domain.js';
import { ago } from '../output.js';
import type { AdminData } from './admin-data.js';
import { esc, layout } from './html.js';

export function loginPage(error: string | null): string {
  return layout(
    'sign in',
    `<section><h2>Administrator sign-in</h2>
${error ? `<p class="problem">${esc(error)}</p>` : ''}
<form method="post" action="/login" class="inline">
<label>Password <input type="password" name="password" autocomplete="current-password" required autofocus></label>
<button type="submit">Sign in</button></form></section>`,
  );
}

function diagnosisBlock(d: Diagnosis): string {
  const steps = d.steps
    .map(
      (s) =>
        `<tr><td class="${s.ok ? 'ok' : 'fail'}">${s.ok ? 'ok' : 'FAIL'}</td><td>${esc(s.step)}</td><td>${esc(s.detail)}</td></tr>`,
    )
    .join('');
  return `<div id="domain-test-result" data-ok="${d.ok}">
<h3>Test of ${esc(d.domain)} as ${esc(d.user)}: <span class="${d.ok ? 'ok' : 'fail'}">${d.ok ? 'works' : esc(d.problem?.code)}</span></h3>
<table>${steps}</table>
${d.ok ? `<p>vmsync can open this mailbox and delete to "${esc(d.trash)}".</p>` : `<p class="problem">${esc(d.problem?.message)}</p>`}</div>`;
}

export function dashboardPage(data: AdminData, csrf: string, tested: Diagnosis | null): string {
  const hidden = `<input type="hidden" name="csrf" value="${esc(csrf)}">`;
  const domains = data.domains
    .map(
      (d) => `<tr><td>${esc(d.domain)}</td><td>${esc(d.kind)}</td>
<td class="${d.health}">${d.health}</td><td>${d.watching}</td><td>${d.failing}</td>
<td>${d.lastTest ? `${d.lastTest.ok ? 'passed' : esc(d.lastTest.problem?.code)} (${esc(d.lastTest.user)})` : '<span class="muted">not run</span>'}</td></tr>`,
    )
    .join('');
  const domainOptions = data.domains
    .map((d) => `<option value="${esc(d.domain)}">${esc(d.domain)}</option>`)
    .join('');
  const users = data.users
    .map(({ config: c, sync: s }) => {
      const address = c?.address ?? s?.user ?? '';
      const synced = c ? (c.synchronized ? `yes (${c.kind})` : 'no') : 'not in voicemail.conf';
      const last = s?.lastSync
        ? `${esc(s.lastSync.action)} ${esc(ago(s.lastSync.at))}, ${s.lastSync.latencyMs} ms`
        : '<span class="muted">none</span>';
      return `<tr><td>${esc(c?.mailbox ?? '')}</td><td>${esc(address)}</td><td>${esc(synced)}${c?.why ? `<br><span class="muted">${esc(c.why)}</span>` : ''}</td>
<td>${esc(s?.mailbox?.state ?? '-')}</td><td>${s ? s.pairs.length : '-'}</td><td>${s ? `${s.waiting.voicemails} / ${s.waiting.emails}` : '-'}</td><td>${last}</td></tr>`;
    })
    .join('');
  const syncs = data.recentSyncs
    .map(
      (r) =>
        `<tr><td>${esc(ago(r.at))}</td><td>${esc(r.user ?? '')}</td><td>${esc(r.side)}</td><td>${esc(r.action)}</td><td>${esc(r.target)}</td><td>${r.latencyMs} ms</td></tr>`,
    )
    .join('');
  const admin = data.needsAdmin
    .map(
      (n) =>
        `<div class="problem"><b>${esc(n.what)}</b> [${esc(n.code)}]<br>${esc(n.message)}</div>`,
    )
    .join('');
  return layout(
    'administration',
    `${data.problems.map((p) => `<p class="problem">${esc(p)}</p>`).join('')}
<section id="needs-admin"><h2>Needs an administrator</h2>${admin || '<p class="ok">Nothing.</p>'}</section>
<section id="domains"><h2>Domains and credential health</h2>
<table><tr><th>Domain</th><th>Kind</th><th>Health</th><th>Watching</th><th>Failing</th><th>Last test</th></tr>${domains}</table>
<form method="post" action="/domain-test" class="inline" id="domain-test">${hidden}
<label>Test <select name="domain">${domainOptions}</select></label>
<label>as user <input type="email" name="user" placeholder="someone@domain" required></label>
<button type="submit">Run domain test</button></form>
${tested ? diagnosisBlock(tested) : ''}</section>
<section id="users"><h2>Users and sync state</h2>
<table><tr><th>Voicemail box</th><th>Address</th><th>Synchronized</th><th>Mailbox</th><th>Pairs</th><th>Waiting vm / email</th><th>Last sync</th></tr>${users}</table></section>
<section id="syncs"><h2>Recent syncs</h2>
${syncs ? `<table><tr><th>When</th><th>User</th><th>Side changed</th><th>Action</th><th>Message</th><th>Latency</th></tr>${syncs}</table>` : '<p class="muted">None recorded yet.</p>'}</section>
<form method="post" action="/logout">${hidden}<button type="submit">Sign out</button></form>`,
  );
}
