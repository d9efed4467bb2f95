export {
  AsteriskSpoolStore,
  type AsteriskSpoolStoreOptions,
} from './asterisk-spool-store.adapter.js';
export {
  type FolderLock,
  LOCK_NAME,
  LOCK_TIMEOUT_MS,
  type LockOptions,
  lockFolder,
  SpoolLockTimeoutError,
  unlockFolder,
  withFolderLocks,
} from './folder-lock.js';
export {
  MAX_METADATA_BYTES,
  type MessageMetadata,
  MessageMetadataError,
  type MetadataProblem,
  parseMessageMetadata,
  serializeMessageMetadata,
} from './message-metadata.js';
export {
  type DerivedState,
  deriveMessageState,
  type MessageCopy,
  type UnreadableCopy,
} from './message-state.js';
export {
  copySlot,
  lastMessageIndex,
  listSlots,
  occupied,
  removeSlot,
  removeStaleTemps,
  renameSlot,
  resequenceFolder,
  type Slots,
  TEMP_PREFIX,
  UnsafeSpoolFileError,
} from './spool-files.js';
export {
  AUDIO_EXTENSIONS,
  DEFAULT_MAX_MSG,
  FOLDERS,
  folderDir,
  folderRank,
  folderState,
  isSafeSegment,
  isSpoolFolder,
  MAX_MSG_LIMIT,
  MESSAGE_FILE,
  MESSAGE_SLOT_FILE,
  mailboxDir,
  mailboxId,
  NEW_FOLDERS,
  parseMailboxId,
  type SpoolFolder,
  slotName,
} from './spool-layout.js';
export {
  findInScan,
  type MailboxScan,
  type PurgedMessage,
  type SpoolMessage,
  SpoolReader,
  type SpoolReaderOptions,
  type UnknownMessage,
  type UnknownReason,
} from './spool-reader.js';
export { type ChangeHint, SpoolWatcher, type SpoolWatcherOptions } from './spool-watcher.js';
export {
  type MailboxLimits,
  planFor,
  SpoolWriter,
  type SpoolWriterOptions,
} from './spool-writer.js';
export {
  asteriskTrue,
  type ConfSource,
  type ConfWarning,
  type ParseVoicemailConfOptions,
  parseVoicemailConf,
  type VoicemailConf,
  VoicemailConfError,
  type VoicemailUser,
} from './voicemail-conf.js';
export { loadVoicemailConf } from './voicemail-conf-file.js';
export type {
  ApplyResult,
  KnownAudio,
  MailboxHint,
  MessageListing,
  MessageMeta,
  PurgedStoredMessage,
  StoredMessage,
  StoreMailbox,
  UnknownStoredMessage,
  VoicemailStore,
} from './voicemail-store.port.js';
