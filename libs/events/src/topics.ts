/** Topic names (DESIGN.md §1). Voicemail commands are routed per voicemail server. */
export interface TopicNames {
  voicemailChanged: string;
  emailChanged: string;
  mailCommands: string;
  /** Compacted: one record per synchronized mailbox; partitions = email-watcher shards. */
  mailboxes: string;
  voicemailCommands(server: string): string;
  deadLetter(topic: string): string;
}

/**
 * The topic names under an optional prefix (`VMSYNC_TOPIC_PREFIX`), so that tests, or
 * two deployments sharing a cluster, never read each other's messages.
 */
export function topicNames(prefix = ''): TopicNames {
  return {
    voicemailChanged: `${prefix}voicemail-changed`,
    emailChanged: `${prefix}email-changed`,
    mailCommands: `${prefix}mail-commands`,
    mailboxes: `${prefix}mailboxes`,
    voicemailCommands: (server) => `${prefix}voicemail-commands.${server}`,
    deadLetter: (topic) => `${topic}.dlq`,
  };
}

export const Topics: TopicNames = topicNames();

/**
 * Partition keys: one user's changes share a partition and so stay in order. Both sides
 * of a pair are keyed by the user's notification address.
 */
export function userKey(address: string): string {
  return address.toLowerCase();
}
