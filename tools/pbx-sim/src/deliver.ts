import { ImapFlow } from 'imapflow';

export interface ImapConnection {
  host: string;
  port: number;
  /** Implicit TLS (993); false for plain or STARTTLS (143). */
  secure?: boolean;
  /** CA bundle (PEM) for a test server's certificate. */
  ca?: string | Buffer;
  auth: { user: string; accessToken: string } | { user: string; pass: string };
}

export interface AppendResult {
  uid: number | null;
  uidValidity: string | null;
}

/** Puts a notification in the user's INBOX with IMAP APPEND, as if the mail server had delivered it. */
export async function appendToInbox(
  connection: ImapConnection,
  raw: string | Buffer,
  options: { date?: Date; flags?: string[]; mailbox?: string } = {},
): Promise<AppendResult> {
  const client = new ImapFlow({
    host: connection.host,
    port: connection.port,
    secure: connection.secure ?? connection.port === 993,
    ...(connection.ca === undefined ? {} : { tls: { ca: connection.ca } }),
    auth: connection.auth,
    logger: false,
  });
  await client.connect();
  try {
    const res = await client.append(
      options.mailbox ?? 'INBOX',
      raw,
      options.flags ?? [],
      options.date,
    );
    if (res === false) return { uid: null, uidValidity: null };
    return {
      uid: res.uid ?? null,
      uidValidity: res.uidValidity === undefined ? null : String(res.uidValidity),
    };
  } finally {
    await client.logout().catch(() => client.close());
  }
}
