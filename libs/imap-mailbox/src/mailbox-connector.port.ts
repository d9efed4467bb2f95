import type { ImapFlow } from 'imapflow';

export interface ConnectOptions {
  /** Mint a new access token rather than reuse a cached one (after a drop or a refusal). */
  fresh?: boolean;
  signal?: AbortSignal;
}

/** Opens logged-in IMAP connections to users' mailboxes, whatever the domain's credential. */
export interface MailboxConnector {
  /** Whether vmsync has a credential for this account's domain (DESIGN.md §5). */
  handles(account: string): boolean;
  /**
   * A logged-in connection, or a thrown MailAuthError / MailboxError naming what failed
   * (see classifyMailboxFailure).
   */
  connect(account: string, options?: ConnectOptions): Promise<ImapFlow>;
}
