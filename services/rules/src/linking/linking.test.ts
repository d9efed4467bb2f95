import type { Notification } from '@vmsync/events';
import { signRef } from '@vmsync/notification';
import { describe, expect, it } from 'vitest';
import { readAsteriskNotification } from './asterisk-notification.js';
import { classifyNotification } from './classify-notification.js';
import { decodedSize, matchVoicemail, type VoicemailCandidate } from './match-voicemail.js';

const policy = { senders: new Set(['asterisk@pbx.example.test']), refSecret: 'hmac-key' };
const origTime = 1_764_300_000;
const audioSize = 64_044;
const encodedSize =
  Math.ceil(audioSize / 3) * 4 + Math.ceil((Math.ceil(audioSize / 3) * 4) / 76) * 2;

function asteriskMail(over: Partial<Notification> = {}): Notification {
  return {
    messageId: '<Asterisk-1-1804289383-1001-4242@pbx>',
    from: '"Asterisk PBX" <asterisk@pbx.example.test>',
    date: (origTime + 2) * 1000,
    headers: { 'x-asterisk-callerid': '2001', 'x-asterisk-calleridname': 'Alice' },
    attachment: {
      filename: 'msg0000.wav',
      size: encodedSize,
      type: 'audio/x-wav',
      encoding: 'base64',
    },
    ...over,
  };
}

function candidate(msgId: string, over: Partial<VoicemailCandidate> = {}): VoicemailCandidate {
  return {
    ref: { server: 'pbx1', mailbox: '1001@default', msgId },
    kind: 'wav',
    callerId: '"Alice" <2001>',
    origTime,
    audioSize,
    ...over,
  };
}

describe('classifyNotification', () => {
  const account = 'user1@example.test';
  const ref = { server: 'pbx1', mailbox: '1001@default', msgId: 'm1', to: account };

  it('accepts a signed reference for this mailbox', () => {
    const n = asteriskMail({ headers: { 'x-vmsync-ref': signRef(ref, 'hmac-key') } });
    expect(classifyNotification(account, n, policy)).toEqual({
      kind: 'signed',
      ref: { server: 'pbx1', mailbox: '1001@default', msgId: 'm1' },
    });
  });

  it('refuses a forged signature, and a genuine one copied to another mailbox', () => {
    const forged = asteriskMail({ headers: { 'x-vmsync-ref': signRef(ref, 'guessed') } });
    expect(classifyNotification(account, forged, policy)).toMatchObject({ kind: 'refused' });
    const copied = asteriskMail({ headers: { 'x-vmsync-ref': signRef(ref, 'hmac-key') } });
    expect(classifyNotification('user2@example.test', copied, policy)).toMatchObject({
      kind: 'refused',
      reason: expect.stringMatching(/another mailbox/),
    });
  });

  it('considers unsigned Asterisk headers only from a configured sender', () => {
    expect(classifyNotification(account, asteriskMail(), policy).kind).toBe('asterisk');
    const stranger = asteriskMail({ from: 'Asterisk <asterisk@evil.test>' });
    expect(classifyNotification(account, stranger, policy)).toMatchObject({ kind: 'refused' });
    const plain = asteriskMail({ messageId: '<abc@mail.example.test>' });
    expect(classifyNotification(account, plain, policy).kind).toBe('not-a-notification');
  });
});

describe('matchVoicemail', () => {
  const facts = readAsteriskNotification(asteriskMail());
  if (!facts) throw new Error('fixture is not an Asterisk notification');

  it('estimates the decoded size of a base64 attachment within a few bytes', () => {
    expect(Math.abs(decodedSize(encodedSize, 'base64') - audioSize)).toBeLessThan(64);
  });

  it('links the voicemail with the same mailbox, caller, time and audio size', () => {
    const match = matchVoicemail(facts, [
      candidate('other-caller', { callerId: '"Bob" <2002>' }),
      candidate('right'),
      candidate('other-size', { audioSize: audioSize * 2 }),
    ]);
    expect(match?.ref.msgId).toBe('right');
  });

  it('prefers the voicemail closest in time', () => {
    const match = matchVoicemail(facts, [
      candidate('earlier', { origTime: origTime - 3600 }),
      candidate('closest'),
    ]);
    expect(match?.ref.msgId).toBe('closest');
  });

  it('links nothing for another mailbox, a notification older than the voicemail, or no audio', () => {
    expect(
      matchVoicemail(facts, [
        candidate('x', { ref: { server: 'pbx1', mailbox: '1002@default', msgId: 'x' } }),
      ]),
    ).toBeNull();
    expect(matchVoicemail(facts, [candidate('x', { origTime: origTime + 3600 })])).toBeNull();
    const textOnly = readAsteriskNotification(asteriskMail({ attachment: null }));
    if (!textOnly) throw new Error('fixture');
    expect(matchVoicemail(textOnly, [candidate('x')])).toBeNull();
    expect(matchVoicemail(textOnly, [candidate('t', { kind: 'text' })])?.ref.msgId).toBe('t');
  });
});
