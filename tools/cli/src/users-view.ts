import type { VoicemailUser } from '@vmsync/asterisk-spool';

export type NotSyncedReason = 'no-address' | 'notifications-off' | 'domain-not-configured';

/** One voicemail box and whether vmsync synchronizes it (DESIGN.md §5). */
export interface UserView {
  mailbox: string;
  name: string;
  address: string | null;
  synchronized: boolean;
  /** `wav` or `text` rules when synchronized. */
  kind: 'wav' | 'text' | null;
  reason: NotSyncedReason | null;
  /** The reason in words, with what to change. */
  why: string | null;
}

/**
 * Who is synchronized: the box sends notifications to an address, and that address's
 * domain has a mail credential. Pure: voicemail.conf's users and the configured domains in.
 */
export function classifyUsers(
  users: readonly VoicemailUser[],
  hasDomain: (address: string) => boolean,
): UserView[] {
  return users.map((u): UserView => {
    const base = { mailbox: u.id, name: u.fullname };
    const address = u.notify?.email ?? u.emails[0] ?? null;
    const no = (reason: NotSyncedReason, why: string): UserView => ({
      ...base,
      address,
      synchronized: false,
      kind: null,
      reason,
      why,
    });
    if (u.emails.length === 0) {
      return no(
        'no-address',
        `voicemail box ${u.id} has no email address (${u.file}:${u.line}): add one as the third field of its line in voicemail.conf.`,
      );
    }
    if (u.notify === null) {
      return u.deleteAfterEmail
        ? no(
            'notifications-off',
            `voicemail box ${u.id} has delete=yes: Asterisk deletes each voicemail once emailed, so there is nothing to keep in sync (${u.file}:${u.line}).`,
          )
        : no(
            'no-address',
            `voicemail box ${u.id}: "${u.emails[0]}" is not a valid email address (${u.file}:${u.line}).`,
          );
    }
    const domain = u.notify.email.slice(u.notify.email.lastIndexOf('@') + 1);
    if (!hasDomain(u.notify.email)) {
      return no(
        'domain-not-configured',
        `${domain} has no mail credential: \`vmsync domain add ${domain} --key KEYFILE\`.`,
      );
    }
    return {
      ...base,
      address: u.notify.email,
      synchronized: true,
      kind: u.notify.kind,
      reason: null,
      why: null,
    };
  });
}
