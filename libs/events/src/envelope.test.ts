import { describe, expect, it } from 'vitest';
import {
  type Envelope,
  InvalidEnvelopeError,
  parseEnvelope,
  parseEnvelopeOf,
  serializeEnvelope,
} from './envelope.js';

const voicemailChanged: Envelope = {
  id: 'evt-1',
  type: 'voicemail-changed',
  version: 1,
  observedAt: 1_764_300_000_123.456,
  correlationId: 'evt-1',
  causationId: null,
  payload: {
    ref: { server: 'pbx1', mailbox: '1001@default', msgId: '1764300000-00000001' },
    phase: 'change',
    before: { folder: 'new', heard: false },
    after: { folder: 'saved', heard: true },
    notify: { email: 'user1@example.test', kind: 'wav' },
    audio: { size: 64044, sha256: 'a'.repeat(64), format: 'wav' },
    meta: { callerId: '"Alice" <2001>', origTime: 1_764_300_000, duration: 4 },
    echoOf: null,
  },
};

const mailCommand: Envelope = {
  id: 'cmd-1',
  type: 'mail-command',
  version: 1,
  observedAt: 1_764_300_000_123.456,
  correlationId: 'evt-1',
  causationId: 'evt-1',
  trace: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' },
  payload: {
    commandId: 'cmd-1',
    ref: { account: 'user1@example.test', emailId: 'gm:1234567890' },
    action: 'ensure-read',
  },
};

describe('envelopes', () => {
  it('round-trip through bytes unchanged', () => {
    for (const envelope of [voicemailChanged, mailCommand]) {
      expect(parseEnvelope(serializeEnvelope(envelope))).toEqual(envelope);
    }
  });

  it('are refused whole, naming the wrong fields', () => {
    const bad = structuredClone(voicemailChanged) as { payload: { after: { folder: string } } };
    bad.payload.after.folder = 'Old';
    expect(() => parseEnvelope(JSON.stringify(bad))).toThrow(/payload\.after\.folder/);
  });

  it('refuse unknown types, versions and extra fields', () => {
    const cases = [
      { ...mailCommand, type: 'mail-commanded' },
      { ...mailCommand, version: 2 },
      { ...mailCommand, extra: true },
      { ...mailCommand, payload: { ...mailCommand.payload, action: 'toggle-read' } },
    ];
    for (const c of cases) {
      expect(() => parseEnvelope(JSON.stringify(c))).toThrow(InvalidEnvelopeError);
    }
  });

  it('refuse bytes that are not JSON, and empty values', () => {
    expect(() => parseEnvelope(Buffer.from([0xff, 0x00]))).toThrow(/not JSON/);
    expect(() => parseEnvelope(null)).toThrow(/no value/);
  });

  it('can be required to be of one type', () => {
    const raw = serializeEnvelope(mailCommand);
    expect(parseEnvelopeOf('mail-command', raw).payload.action).toBe('ensure-read');
    expect(() => parseEnvelopeOf('voicemail-command', raw)).toThrow(/expected a voicemail-command/);
  });

  it('will not serialize an invalid envelope', () => {
    const bad = { ...mailCommand, observedAt: -1 } as Envelope;
    expect(() => serializeEnvelope(bad)).toThrow();
  });
});
