/** Topic names (DESIGN.md §1). Voicemail commands are routed per voicemail server. */
export const Topics = {
  voicemailChanged: 'voicemail-changed',
  emailChanged: 'email-changed',
  mailCommands: 'mail-commands',
  voicemailCommands: (server: string): string => `voicemail-commands.${server}`,
  deadLetter: (topic: string): string => `${topic}.dlq`,
} as const;

/**
 * Partition keys: one user's changes share a partition and so stay in order. Both sides
 * of a pair are keyed by the user's notification address.
 */
export function userKey(address: string): string {
  return address.toLowerCase();
}
