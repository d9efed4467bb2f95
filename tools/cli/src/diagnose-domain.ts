import {
  describeFailure,
  ImapConnector,
  type MailDomain,
  type MailDomains,
  planFolders,
} from '@vmsync/imap-mailbox';
import { connectImap, GoogleServiceAccountCredential } from '@vmsync/mail-auth';
import type { ImapFlow } from 'imapflow';

export type StepName = 'domain' | 'key' | 'token' | 'imap-login' | 'trash';

export interface DiagnosisStep {
  step: StepName;
  ok: boolean;
  detail: string;
}

/** The outcome of `domain test`: each step passed, or the first failure with what to do. */
export interface Diagnosis {
  domain: string;
  user: string;
  ok: boolean;
  steps: DiagnosisStep[];
  /** The first failure: a stable code and a message naming the fix. */
  problem: { code: string; message: string } | null;
  /** The Trash folder's path, when found. */
  trash: string | null;
}

const IMAP_TIMEOUTS = { connectionTimeout: 15_000, greetingTimeout: 15_000, disableAutoIdle: true };

/**
 * Does what a watcher does for `user`, one step at a time, and stops at the first failure:
 * the domain is configured, its key file is valid, Google mints a token for the user,
 * the IMAP server takes it, and the mailbox has a folder marked \Trash.
 */
export async function diagnoseDomain(
  domains: MailDomains,
  user: string,
  progress: (message: string) => void = () => {},
): Promise<Diagnosis> {
  const at = user.lastIndexOf('@');
  const result: Diagnosis = {
    domain: at < 0 ? '' : user.slice(at + 1).toLowerCase(),
    user,
    ok: false,
    steps: [],
    problem: null,
    trash: null,
  };
  const pass = (step: StepName, detail: string) => {
    result.steps.push({ step, ok: true, detail });
  };
  const fail = (step: StepName, code: string, message: string): Diagnosis => {
    result.steps.push({ step, ok: false, detail: message });
    result.problem = { code, message };
    return result;
  };
  const domain = domains.forAccount(user);
  if (domain === undefined) {
    return fail(
      'domain',
      'DOMAIN_NOT_CONFIGURED',
      `No mail credential for ${result.domain || user}: register the domain with \`vmsync domain add ${result.domain || 'DOMAIN'} --key KEYFILE\`.`,
    );
  }
  pass('domain', `${domain.domain} (${domain.kind}) at ${domain.imap.host}:${domain.imap.port}`);
  let client: ImapFlow;
  try {
    client =
      domain.kind === 'google'
        ? await googleLogin(domain, user, progress, pass)
        : await passwordLogin(domains, user, progress);
  } catch (error) {
    const failed = error as { step?: StepName };
    const { code, message } = describeFailure(error);
    return fail(failed.step ?? 'imap-login', code, message);
  }
  pass('imap-login', `logged in to ${domain.imap.host} as ${user}`);
  try {
    progress('looking for the folder marked \\Trash');
    // The watcher's own folder plan: Trash by SPECIAL-USE, never by a localized name.
    const plan = planFolders(await client.list(), client.capabilities);
    if (!plan.move && !plan.uidplus) {
      return fail(
        'trash',
        'MAILBOX_UNSUPPORTED',
        `The IMAP server of ${user} offers neither MOVE nor UIDPLUS: vmsync cannot move a message to Trash without risking others. Use a server that offers MOVE (RFC 6851).`,
      );
    }
    result.trash = plan.trash;
    pass('trash', `Trash is "${plan.trash}"`);
  } catch (error) {
    const { code, message } = describeFailure(error);
    return fail(
      'trash',
      code,
      code === 'MAILBOX_NO_TRASH'
        ? `${message} On Gmail: Settings > Labels > Trash > "Show in IMAP".`
        : message,
    );
  } finally {
    await client.logout().catch(() => client.close());
  }
  result.ok = true;
  return result;
}

async function googleLogin(
  domain: Extract<MailDomain, { kind: 'google' }>,
  user: string,
  progress: (message: string) => void,
  pass: (step: StepName, detail: string) => void,
): Promise<ImapFlow> {
  const tagged = (step: StepName, error: unknown) => Object.assign(error as object, { step });
  progress(`reading the service-account key ${domain.serviceAccountKeyFile}`);
  const credential = await GoogleServiceAccountCredential.fromFile(domain.serviceAccountKeyFile, {
    ...(domain.tokenUrl === undefined ? {} : { tokenUrl: domain.tokenUrl }),
    ...(domain.scopes === undefined ? {} : { scopes: domain.scopes }),
    requestTimeoutMs: 15_000,
  }).catch((e: unknown) => {
    throw tagged('key', e);
  });
  pass(
    'key',
    `service account ${credential.clientEmail}, client ID ${credential.clientId}, key ${credential.privateKeyId}`,
  );
  progress(`asking Google for a token for ${user} (scope ${credential.scopes.join(' ')})`);
  const token = await credential.accessToken(user).catch((e: unknown) => {
    throw tagged('token', e);
  });
  pass('token', `token minted for ${user}`);
  progress(`logging in to ${domain.imap.host}:${domain.imap.port} as ${user}`);
  return connectImap({
    host: domain.imap.host,
    port: domain.imap.port,
    secure: domain.imap.secure,
    user,
    accessToken: token,
    tls: {
      ...(domain.tlsCa === undefined ? {} : { ca: domain.tlsCa }),
      ...(domain.imap.servername === undefined ? {} : { servername: domain.imap.servername }),
    },
    tcpKeepAlive: { enabled: false },
    imapflow: IMAP_TIMEOUTS,
  });
}

async function passwordLogin(
  domains: MailDomains,
  user: string,
  progress: (message: string) => void,
): Promise<ImapFlow> {
  progress(`logging in as ${user} with the domain's password file`);
  const connector = new ImapConnector(domains, {
    login: { ratePerSecond: 10, burst: 10 },
    keepAliveMs: 0,
    connectTimeoutMs: 15_000,
  });
  return connector.connect(user);
}

/** The diagnosis as lines for a terminal. */
export function formatDiagnosis(d: Diagnosis): string {
  const lines = d.steps.map((s) => `${s.ok ? 'ok  ' : 'FAIL'} ${s.step.padEnd(10)} ${s.detail}`);
  lines.push(
    d.ok
      ? `\n${d.user}: vmsync can open this mailbox and delete to "${d.trash}".`
      : `\n${d.user}: ${d.problem?.code}\n${d.problem?.message}`,
  );
  return lines.join('\n');
}
