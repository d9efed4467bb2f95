/* The prose of docs/sync-rules.md; the tables come from expected.ts. */

export const explanation = `vmsync keeps each voicemail and its notification email in agreement. This page is the
rule book an operator can check the system against: every table below is also the test
that the rules (services/rules/src/rules) are checked against, so page and code cannot
drift apart.

- A **wav** pair's email carries the audio: it syncs both ways. A **text** pair's email
  is only a notice: it syncs voicemail -> email only.
- **Deleted** is a voicemail in \`deleted\` (recoverable) or \`purged\` (gone for good), an
  email in Trash or purged. **Heard** is a voicemail not Deleted and heard; an email is
  **read** when \\Seen is set, wherever it is. \`archive\` is out of the Inbox, not deleted.
- **unknown** is a side that could not be found or read (an IMAP error, a timeout, a spool
  file being rewritten). It is never taken for Deleted and never causes a command.
- Every command is "make it so" (ensure read, ensure in Trash): carried out twice, it
  is carried out once; already true, it does nothing.

Tested: \`reconcile\` against every cell of section 1 (128), the change rules against every
single-side transition (every before and after state of one side, with every state of
the other, for both kinds: 1,568), and a property-based test (fast-check) that drives
random interleavings of users on both sides, delayed commands and watchers through the
real rules until they settle: the pair agrees (or differs only as section 5 says), nothing
is deleted unless a user deleted something, at most 3 commands per user action, and it
ends.`;

export const decisions: readonly string[] = [
  `**Purged after deleted counts again.** A voicemail purged from \`deleted\` (an email purged
   from Trash) asks again for its partner's deletion. Usually that is a no-op; it matters when
   a user restored the partner meanwhile and the restore could not reach this side, which is
   now gone for good: the pair can only agree as deleted.`,
  `**A restore against a purged partner is undone.** A voicemail undeleted while its email is
   purged goes back to \`deleted\`; an email taken out of Trash while its voicemail is purged
   goes back to Trash. A purged message cannot come back, section 1 would do the same at
   the next start-up, and doing it at once means a restart changes nothing. Both places
   are recoverable.`,
  `**An email out of Trash brings its read state.** The voicemail is marked heard if the
   email is read and unheard if it is unread (the mirror of §3.2's "mark it unread if the
   voicemail is unheard"). Otherwise an email marked unread while in Trash, which §3.2 does
   not sync, would come back to a heard voicemail and the pair would disagree.`,
  `**Archive is not a deletion.** Archiving an email, or moving it back to the Inbox,
   changes nothing on the voicemail; moving a voicemail between new and saved without a
   change of heard state changes nothing on the email.`,
  `**Read state of a deleted message.** A voicemail in \`deleted\` is never Heard (§2), so its
   flag changes do nothing, and a voicemail undeleted into a heard state counts as heard:
   the email is marked read. An email's \\Seen counts wherever it is (§2): read in Trash
   marks the voicemail heard; marked unread in Trash does nothing (§3.2).`,
  `**Decide from the change, not from the other side's last known state.** The rules do
   not drop a command because the pair store says the other side is already so: while
   commands are in flight that view is stale. Found by the property test: a user trashes
   the email and restores it at once; the voicemail is still known as \`new\` when the
   restore is decided, so "already not deleted" would drop \`ensure-saved\`, and the
   voicemail would end deleted although the user's last word was to keep it. A command
   that is already true costs one no-op. The other side's state is used only where it
   cannot go stale: purged (decision 2).`,
  `**An unknown other side** does not stop a change's commands: the cause is a known change
   on this side, and the actuator finds out whether its target is there.`,
  `**Text pairs** never act on an email change, even when that leaves the pair in a state
   section 1 would change (see section 5).`,
];

export const partsMustDo = `- **Echoes are recognised and decide nothing** (DESIGN.md §3.3, \`echoOf\`). The rules
  do not tell an echo from a user's change; fed back as changes, echoes ping-pong: an
  email restored from Trash while its voicemail is being deleted never settles (a test
  shows this). One exception keeps a pair from settling in disagreement: the phone user
  undeletes a heard voicemail and, just after, the mail user marks its email unread in
  Trash. That unread is not synced (§3.2) yet, being newer, it makes the mail-actuator
  skip the undelete's "mark read"; vmsync's own move then brings the email back to the
  Inbox unread beside a heard voicemail. When the echo of that move arrives, the email is
  unread and out of Trash, the voicemail not deleted, and the email's read state was last
  changed by a user after anything a user did to the voicemail, the rules mark the
  voicemail unheard, with the unread's time as the command's cause. Found by the soak
  (seed 29902); the property test allows no disagreement for it any more. The voicemail
  need not be heard yet when the echo arrives: a "mark heard" from an older read (made in
  Trash too) can still be on its way, and the unread must land after it (found by the
  property test on CI: undelete, read in Trash, unread in Trash). Where the voicemail is
  already unheard the command is a no-op.
- **Newer wins compares the part of the message a command sets** with the time a _user_
  last changed that part (echoes do not count): whether the message is deleted
  (\`ensure-trash\`, \`ensure-inbox\`, \`ensure-deleted\`, \`ensure-saved\`) or its read state
  (\`ensure-read\`, \`-unread\`, \`-heard\`, \`-unheard\`). A user moving a message into or out
  of Trash or \`deleted\` changes both; reading or listening changes only the read state;
  archiving changes neither. Compared per message instead, reading an email would shield
  it from its voicemail's deletion. Found by the property test: a pair linked while its
  voicemail is deleted; the user reads the email before the link's "move email to Trash"
  lands; the command is skipped and the email stays in the Inbox.
- **Commands to one side are applied in the order sent** (one partition per user).
- \`ensure-inbox\` takes an email out of Trash into the Inbox; an archived email stays where
  the user filed it. \`ensure-saved\` takes a voicemail out of \`deleted\` and keeps its heard
  flag. \`ensure-heard\`/\`ensure-unheard\` on a voicemail in \`deleted\` change the flag only
  and never undelete it. Nothing can be done to a purged message: a no-op.`;

export const leftToStartUp = `Section 1 and section 2 do not always agree; where they differ, the pair stays as the
users left it until the next start-up (or first link) applies section 1. The property
test allows exactly these and nothing else:

- **text pairs**: a user restores the email of a deleted voicemail, or marks the email of
  a heard voicemail unread. Nothing syncs back; the next start-up moves the email to
  Trash again, or marks it read again.
- **wav, a purge racing a restore**: a user restores one side in the moment the other is
  purged, before the rules know of the purge. Newer wins keeps the restored side; the next
  start-up moves it back to \`deleted\` or Trash (decision 2 does so at once when the purge
  is known).`;
