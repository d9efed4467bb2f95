/**
 * Fuzz (fast-check, bounded runs) of what a stranger controls in a notification: its
 * headers, sender, Message-ID and attachment. Nothing throws or hangs, and nothing a
 * forger can write without the secret becomes a signed claim or a link.
 */
import type { Notification } from '@vmsync/events';
import { signRef } from '@vmsync/notification';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readAsteriskNotification } from './asterisk-notification.js';
import { classifyNotification } from './classify-notification.js';
import { matchVoicemail, type VoicemailCandidate } from './match-voicemail.js';

const SECRET = 'fuzz-secret';
const policy = { senders: new Set(['asterisk@pbx.example.test']), refSecret: SECRET };
const account = 'user1@example.test';
const genuineRef = { server: 'pbx1', mailbox: '1001@default', msgId: '1764300000-00000001' };
const genuine = signRef({ ...genuineRef, to: account }, SECRET);

const mutated = fc
  .tuple(fc.nat(genuine.length - 1), fc.string({ minLength: 0, maxLength: 3 }), fc.nat(3))
  .map(([at, text, cut]) => genuine.slice(0, at) + text + genuine.slice(at + cut))
  .filter((s) => s !== genuine);

const notification = fc.record({
  messageId: fc.oneof(
    fc.string({ minLength: 1 }),
    fc
      .tuple(fc.nat(), fc.nat(), fc.string({ minLength: 1, maxLength: 8 }), fc.nat())
      .map(([n, r, box, pid]) => `<Asterisk-${n}-${r}-${box}-${pid}@pbx>`),
  ),
  from: fc.oneof(
    fc.string(),
    fc.constantFrom('asterisk@pbx.example.test', '"PBX" <ASTERISK@pbx.example.test>', 'x@evil'),
  ),
  date: fc.option(fc.nat(), { nil: null }),
  headers: fc.dictionary(
    fc.constantFrom('x-vmsync-ref', 'x-asterisk-callerid', 'x-asterisk-calleridname', 'x-other'),
    fc.oneof(fc.string({ maxLength: 300 }), mutated),
  ),
  attachment: fc.option(
    fc.record({
      filename: fc.string(),
      size: fc.nat(),
      type: fc.string(),
      encoding: fc.constantFrom('base64', '7bit', 'BASE64', ''),
    }),
    { nil: null },
  ),
}) satisfies fc.Arbitrary<Notification>;

describe('classifyNotification under fuzz', () => {
  it('never throws; a signed claim only from the genuine header, an unsigned one only from a PBX sender', () => {
    fc.assert(
      fc.property(notification, fc.constantFrom(account, 'user2@example.test'), (n, to) => {
        const c = classifyNotification(to, n, policy);
        if (c.kind === 'signed') {
          expect(c.ref).toEqual(genuineRef);
          expect(to).toBe(account);
        }
        if (c.kind === 'asterisk') {
          expect(n.headers['x-vmsync-ref']).toBeUndefined();
          expect(
            policy.senders.has((/<([^>]+)>/.exec(n.from)?.[1] ?? n.from).trim().toLowerCase()),
          ).toBe(true);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('no mutation of a genuine signed header names another voicemail or mailbox', () => {
    fc.assert(
      fc.property(mutated, (header) => {
        const n = {
          messageId: '<a@b>',
          from: 'x@evil',
          date: null,
          headers: { 'x-vmsync-ref': header },
          attachment: null,
        };
        const c = classifyNotification(account, n, policy);
        // only the same reference passes (blanks around it, the address's letter case)
        if (c.kind === 'signed') expect(c.ref).toEqual(genuineRef);
        else expect(c.kind).toBe('refused');
      }),
      { numRuns: 3000 },
    );
  });
});

describe('matchVoicemail under fuzz', () => {
  const candidate = fc.record({
    ref: fc.record({
      server: fc.constant('pbx1'),
      mailbox: fc.constantFrom('1001@default', '1002@default', '@', ''),
      msgId: fc.string({ minLength: 1, maxLength: 12 }),
    }),
    kind: fc.constantFrom('wav' as const, 'text' as const),
    callerId: fc.string({ maxLength: 40 }),
    origTime: fc.nat(),
    audioSize: fc.option(fc.nat(), { nil: null }),
  }) satisfies fc.Arbitrary<VoicemailCandidate>;

  it('never throws, and picks only a candidate of the notification mailbox', () => {
    fc.assert(
      fc.property(notification, fc.array(candidate, { maxLength: 30 }), (n, candidates) => {
        const facts = readAsteriskNotification(n);
        if (facts === null) return;
        const m = matchVoicemail(facts, candidates);
        if (m !== null) {
          expect(candidates).toContain(m);
          expect(m.ref.mailbox.split('@')[0]).toBe(facts.mailbox);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
