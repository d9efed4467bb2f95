/**
 * vmsync's main job on the embedded local stack: the five services as separate
 * processes, a live scenario, then everything left running to explore until Ctrl-C.
 */
import { ServiceProcess, serviceDigest } from '@vmsync/testkit';
import { Narrator } from './narrator.js';
import { runScenario } from './scenario.js';
import { serviceEnv, setUp } from './setup.js';

const SERVICES = [
  'rules',
  'voicemail-watcher',
  'voicemail-actuator',
  'email-watcher',
  'mail-actuator',
];

console.log('vmsync demo: setting up a PBX spool, voicemail.conf and three mailboxes...');
const ctx = await setUp(process.env);
const env = serviceEnv(ctx, process.env, Date.now().toString(36));
const services = SERVICES.map((name) => new ServiceProcess(name, env));
const stop = async () => {
  console.log('\nstopping vmsync...');
  await Promise.all(services.map((s) => s.stop()));
};
process.once('SIGINT', () => void stop().then(() => process.exit(0)));
process.once('SIGTERM', () => void stop().then(() => process.exit(0)));
process.on('uncaughtException', (error) => {
  console.error('demo failed:', error);
  console.error(`what the services said last:\n${serviceDigest(services, { logDir: ctx.root })}`);
  void stop().finally(() => process.exit(1));
});

for (const service of services) {
  await service.start(60_000);
  console.log(`  started ${service.service}`);
}
const narrator = new Narrator(services.filter((s) => s.service.endsWith('actuator')));
await runScenario(ctx, narrator);
narrator.start();

const act = 'npx tsx tools/demo/src/act.ts';
console.log(`
vmsync is running. Try it yourself (in another terminal, from this directory):
  ${act} voicemail ${ctx.users[0]?.email}           a new voicemail + its notification email
  ${act} show ${ctx.users[0]?.email}                both sides of every voicemail
  ${act} phone listen|unheard|delete|undelete ${ctx.users[0]?.email} [MSG_ID]
  ${act} mail read|unread|trash|restore|archive ${ctx.users[0]?.email} [MESSAGE_ID]
Users: ${ctx.users.map((u) => `${u.email} (mailbox ${u.mailbox}, ${u.attach ? 'WAV attached' : 'text only'})`).join(', ')}
Spool: ${ctx.spoolDir}   Services' logs: JSON lines below as they happen.
Ctrl-C stops vmsync and the local stack.`);
for (const s of services) {
  let printed = s.lines.length;
  setInterval(() => {
    for (const line of s.lines.slice(printed))
      if (/"msg":"(voicemail changed|email changed|decided|command carried out)/.test(line))
        console.log(`[${s.service}] ${line}`);
    printed = s.lines.length;
  }, 200);
}
