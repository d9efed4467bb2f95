export { ObservedAt } from './clock.js';
export {
  MailAction,
  MailCommand,
  VoicemailAction,
  VoicemailCommand,
} from './commands.js';
export { EmailChanged, EmailRef, Notification } from './email-changed.js';
export {
  Envelope,
  type EnvelopeOf,
  type EnvelopeType,
  InvalidEnvelopeError,
  parseEnvelope,
  parseEnvelopeOf,
  serializeEnvelope,
  TraceContext,
} from './envelope.js';
export { MailboxDeclared } from './mailbox-declared.js';
export {
  actionPart,
  emailChangedParts,
  NEVER,
  type Part,
  type PartTimes,
  touch,
  voicemailChangedParts,
} from './parts.js';
export {
  EmailLocation,
  EmailState,
  emailDeleted,
  PairKind,
  VoicemailFolder,
  VoicemailState,
  voicemailDeleted,
  voicemailHeard,
} from './state.js';
export { type TopicNames, Topics, topicNames, userKey } from './topics.js';
export { VoicemailAudio, VoicemailChanged, VoicemailRef } from './voicemail-changed.js';
