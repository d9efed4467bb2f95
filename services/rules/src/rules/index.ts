export {
  type EmailChange,
  emailChanges,
  type VoicemailChange,
  voicemailChanges,
} from './changes.js';
export { type Decision, toEmail, toVoicemail } from './decision.js';
export { onEmailChange, onVoicemailChange } from './on-change.js';
export {
  emailEchoMayDecide,
  emailUserChange,
  onEmailEcho,
  type UserChanges,
  voicemailUserChange,
} from './on-echo.js';
export { reconcile } from './reconcile.js';
