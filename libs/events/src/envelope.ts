import { VmsyncError } from '@vmsync/errors';
import { z } from 'zod';
import { ObservedAt } from './clock.js';
import { MailCommand, VoicemailCommand } from './commands.js';
import { EmailChanged } from './email-changed.js';
import { MailboxDeclared } from './mailbox-declared.js';
import { VoicemailChanged } from './voicemail-changed.js';

export const TraceContext = z.strictObject({
  traceparent: z.string().regex(/^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/),
  tracestate: z.string().optional(),
});
export type TraceContext = z.infer<typeof TraceContext>;

const head = {
  id: z.string().min(1),
  version: z.literal(1),
  /**
   * When the originating change was observed, on the deployment's one clock. A command
   * carries its cause's time, so `applied - observedAt` is the sync latency.
   */
  observedAt: ObservedAt,
  /** The id of the user change this whole chain started from. */
  correlationId: z.string().min(1),
  /** The id of the message that directly caused this one (null for a watcher's event). */
  causationId: z.string().min(1).nullable(),
  trace: TraceContext.optional(),
};

export const Envelope = z.discriminatedUnion('type', [
  z.strictObject({ ...head, type: z.literal('voicemail-changed'), payload: VoicemailChanged }),
  z.strictObject({ ...head, type: z.literal('email-changed'), payload: EmailChanged }),
  z.strictObject({ ...head, type: z.literal('mail-command'), payload: MailCommand }),
  z.strictObject({ ...head, type: z.literal('voicemail-command'), payload: VoicemailCommand }),
  z.strictObject({ ...head, type: z.literal('mailbox-declared'), payload: MailboxDeclared }),
]);
export type Envelope = z.infer<typeof Envelope>;
export type EnvelopeType = Envelope['type'];
export type EnvelopeOf<T extends EnvelopeType> = Extract<Envelope, { type: T }>;

/** Thrown for a message that is not a valid vmsync envelope. Never retriable. */
export class InvalidEnvelopeError extends VmsyncError {
  constructor(message: string, cause?: unknown) {
    super('EVENT_INVALID', message, { retriable: false, cause });
    this.name = 'InvalidEnvelopeError';
  }
}

/**
 * Parses bytes off the bus into a whole, valid envelope, or throws InvalidEnvelopeError
 * naming each wrong field. Nothing is ever half-read.
 */
export function parseEnvelope(raw: Buffer | string | null): Envelope {
  if (raw === null) throw new InvalidEnvelopeError('message has no value');
  let json: unknown;
  try {
    json = JSON.parse(typeof raw === 'string' ? raw : raw.toString('utf8'));
  } catch (error) {
    throw new InvalidEnvelopeError(`message is not JSON: ${(error as Error).message}`);
  }
  const result = Envelope.safeParse(json);
  if (!result.success) {
    const where = result.error.issues
      .slice(0, 5)
      .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
      .join('; ');
    throw new InvalidEnvelopeError(`invalid envelope: ${where}`, result.error);
  }
  return result.data;
}

/** Parses and also requires one type, for a topic that carries only that type. */
export function parseEnvelopeOf<T extends EnvelopeType>(
  type: T,
  raw: Buffer | string | null,
): EnvelopeOf<T> {
  const envelope = parseEnvelope(raw);
  if (envelope.type !== type) {
    throw new InvalidEnvelopeError(`expected a ${type}, got a ${envelope.type}`);
  }
  return envelope as EnvelopeOf<T>;
}

export function serializeEnvelope(envelope: Envelope): Buffer {
  return Buffer.from(JSON.stringify(Envelope.parse(envelope)));
}
