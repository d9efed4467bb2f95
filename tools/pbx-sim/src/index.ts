export { type AppendResult, appendToInbox, type ImapConnection } from './deliver.js';
export {
  asteriskDate,
  type CallerId,
  type DepositedMessage,
  type DepositOptions,
  deposit,
  mergeCallerId,
  nextMsgId,
  splitCallerId,
} from './deposit.js';
export {
  createSpoolLayout,
  type SimUser,
  type SpoolLayout,
  type SpoolLayoutOptions,
  simUser,
  voicemailConfText,
} from './layout.js';
export { buildNotification, type Notification, type NotifyOptions } from './notify.js';
export {
  type ActionResult,
  deleteMessage,
  listen,
  type MailboxTarget,
  markUnheard,
  purge,
  saveToFolder,
  undelete,
} from './user-actions.js';
export { makeWav, type WavOptions, wavSeconds } from './wav.js';
