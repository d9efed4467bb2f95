// A stand-in for Gmail's IMAP dialect, for tests only: hoodiecrow-imap (a scriptable IMAP
// server) with Gmail's label model on top. Not used by the product.
//
// What it models (NOTES.md "Gmail facts"): one message per X-GM-MSGID, seen through folders
// that are views of its labels — INBOX = label \Inbox, `[Gmail]/All Mail` (\All) = every
// message not in Trash or Spam, `[Gmail]/<localized Trash>` (\Trash), `[Gmail]/Spam`
// (\Junk); flags and X-GM-MSGID belong to the message, UIDs to the view (a message gets a
// new UID each time it enters a folder). COPY adds a label (to Trash/Spam: moves there);
// EXPUNGE from INBOX or a label removes the label (archive), from All Mail moves to Trash,
// from Trash or Spam deletes for good; MOVE is COPY plus EXPUNGE of the source copy by
// those rules (so a MOVE out of All Mail trashes the message: the hazard vmsync avoids by
// restoring archived mail with COPY). HIGHESTMODSEQ is one counter for the account, as on
// Gmail.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const require = createRequire(import.meta.url);

/* The parts of hoodiecrow's (untyped, CommonJS) internals this module uses. */
interface HcAttribute {
  type?: string;
  value?: unknown;
}
interface HcParsed {
  tag: string;
  command: string;
  attributes?: (HcAttribute | HcAttribute[])[];
}
interface HcMessage {
  uid: number;
  flags: string[];
  raw: string;
  internaldate: string;
  record?: GmailMessage;
}
interface HcMailbox {
  path: string;
  flags: string[];
  messages: HcMessage[];
  uidvalidity: number;
  'special-use'?: string | string[];
}
interface HcConnection {
  state: string;
  scheduleCommand(data: string): void;
  selectedMailbox?: HcMailbox;
  send(response: object, description: string, parsed: HcParsed, data: string, extra?: object): void;
}
type HcHandler = (c: HcConnection, parsed: HcParsed, data: string, done: () => void) => void;
interface HcServer {
  server: import('node:net').Server;
  connectionHandlers: ((connection: HcConnection) => void)[];
  folderCache: Record<string, HcMailbox>;
  capabilities: Record<string, unknown>;
  fetchHandlers: Record<string, (c: HcConnection, m: HcMessage) => unknown>;
  searchHandlers: Record<
    string,
    (c: HcConnection, m: HcMessage, seq: number, arg: string) => boolean
  >;
  storeHandlers: Record<
    string,
    (
      c: HcConnection,
      m: HcMessage,
      flags: (HcAttribute | string)[],
      index: number,
      parsed: HcParsed,
      data: string,
    ) => void
  >;
  listen(port: number, host: string, cb: () => void): void;
  close(cb: () => void): void;
  registerCapability(name: string): void;
  setCommandHandler(name: string, handler: HcHandler): void;
  getCommandHandler(name: string): HcHandler;
  getMailbox(path: string): HcMailbox | undefined;
  getMessageRange(mailbox: HcMailbox, range: string, isUid: boolean): [number, HcMessage][];
  processMessage(message: HcMessage, mailbox: HcMailbox): void;
  notify(command: object, mailbox: HcMailbox, ignoreConnection?: HcConnection): void;
  outputHandlers: ((
    connection: HcConnection,
    response: object,
    description: string,
    parsed: HcParsed | null,
    data: string,
    affected?: unknown,
  ) => void)[];
  appendMessage(
    mailbox: HcMailbox | string,
    flags: string[],
    internaldate: string | Date | undefined,
    raw: string,
  ): { mailbox: HcMailbox; message: HcMessage };
}
const hoodiecrow = require('hoodiecrow-imap') as (options: object) => HcServer;

/** One Gmail message: what X-GM-MSGID names. */
interface GmailMessage {
  msgid: string;
  raw: string;
  internaldate: string | Date | undefined;
  flags: string[];
  /** `\Inbox`, `\Sent`, ... and user labels. Trash and Spam are places, not labels here. */
  labels: Set<string>;
  place: 'mail' | 'trash' | 'spam';
  modseq: number;
  purged: boolean;
}

export interface GmailStandinOptions {
  /** The mailbox's address, the XOAUTH2 `user=`. */
  user: string;
  /** The one access token the stand-in accepts for it. */
  accessToken: string;
  /** The localized name under `[Gmail]/` of the \Trash folder (default `Corbeille`). */
  trashName?: string;
}

export interface GmailPlacement {
  /** Folders the message is seen in now. */
  folders: string[];
  labels: string[];
  seen: boolean;
}

export const ALL_MAIL = '[Gmail]/All Mail';
export const SPAM = '[Gmail]/Spam';

/**
 * A Gmail-dialect IMAP server on 127.0.0.1 (IMAPS with a fresh self-signed certificate for
 * `localhost`; `ca` is its PEM). Capabilities: X-GM-EXT-1, SPECIAL-USE, MOVE, UIDPLUS,
 * CONDSTORE, IDLE, ENABLE, ID, UNSELECT, SASL-IR, AUTH=XOAUTH2 (no OAUTHBEARER, no NAMESPACE,
 * no ESEARCH, no COMPRESS).
 */
export class GmailStandin {
  readonly #messages: GmailMessage[] = [];
  /** Every command clients sent, in order, tag stripped (AUTHENTICATE without its argument). */
  readonly commands: string[] = [];
  #nextMsgid = 1_700_000_000_000_000_000n;
  #modseq = 1;

  private constructor(
    readonly server: HcServer,
    readonly port: number,
    readonly ca: string,
    readonly trash: string,
    private readonly certDir: string,
  ) {}

  static async start(options: GmailStandinOptions): Promise<GmailStandin> {
    const certDir = mkdtempSync(join(tmpdir(), 'gmail-standin-'));
    const key = join(certDir, 'key.pem');
    const cert = join(certDir, 'cert.pem');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        '2',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=DNS:localhost,IP:127.0.0.1',
        '-keyout',
        key,
        '-out',
        cert,
      ],
      { stdio: 'ignore' },
    );
    const trash = `[Gmail]/${options.trashName ?? 'Corbeille'}`;
    const server = hoodiecrow({
      secureConnection: true,
      credentials: { key: readFileSync(key), cert: readFileSync(cert) },
      // ENABLE before CONDSTORE (hoodiecrow's rule); hoodiecrow's own MOVE and X-GM-EXT-1
      // are replaced below (they lose X-GM-MSGID on a move and labels do nothing).
      plugins: [
        'ENABLE',
        'CONDSTORE',
        'SPECIAL-USE',
        'IDLE',
        'ID',
        'UNSELECT',
        'SASL-IR',
        'XOAUTH2',
        'UIDPLUS',
      ],
      users: {
        [options.user]: {
          password: randomPassword(),
          xoauth2: { accessToken: options.accessToken, sessionTimeout: 3_600_000 },
        },
      },
      storage: {
        INBOX: {},
        '': {
          type: 'personal',
          separator: '/',
          folders: {
            '[Gmail]': {
              flags: ['\\Noselect'],
              folders: {
                'All Mail': { 'special-use': '\\All' },
                [options.trashName ?? 'Corbeille']: { 'special-use': '\\Trash' },
                Spam: { 'special-use': '\\Junk' },
                'Sent Mail': { 'special-use': '\\Sent' },
              },
            },
          },
        },
      },
    });
    // Small writes both ways: without this every round trip waits on delayed ACKs.
    server.server.on('secureConnection', (socket: import('node:net').Socket) =>
      socket.setNoDelay(true),
    );
    const port = await new Promise<number>((resolve) => {
      server.listen(0, '127.0.0.1', () => resolve((server.server.address() as AddressInfo).port));
    });
    const standin = new GmailStandin(server, port, readFileSync(cert, 'utf8'), trash, certDir);
    standin.#install();
    server.connectionHandlers.push((connection) => {
      const schedule = connection.scheduleCommand.bind(connection);
      connection.scheduleCommand = (data: string) => {
        const line = data.replace(/^\S+\s+/, '');
        standin.commands.push(/^AUTHENTICATE/i.test(line) ? line.split(' ', 2).join(' ') : line);
        schedule(data);
      };
    });
    return standin;
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    rmSync(this.certDir, { recursive: true, force: true });
  }

  /** Mail arriving (e.g. from the PBX): a new message with the INBOX label. Its X-GM-MSGID. */
  deliver(raw: string, labels: readonly string[] = ['\\Inbox']): string {
    const m = this.#create(raw, undefined, [], 'mail');
    for (const l of labels) m.labels.add(l);
    this.#sync();
    return m.msgid;
  }

  /** What the user does in Gmail's web client, by X-GM-MSGID. */
  archive(msgid: string): void {
    this.#change(msgid, (m) => m.labels.delete('\\Inbox'));
  }
  moveToTrash(msgid: string): void {
    this.#change(msgid, (m) => {
      m.place = 'trash';
      m.labels.delete('\\Inbox');
    });
  }
  markSpam(msgid: string): void {
    this.#change(msgid, (m) => {
      m.place = 'spam';
      m.labels.delete('\\Inbox');
    });
  }
  /** "Move to Inbox" from Trash, Spam or All Mail. */
  moveToInbox(msgid: string): void {
    this.#change(msgid, (m) => {
      m.place = 'mail';
      m.labels.add('\\Inbox');
    });
  }
  setSeen(msgid: string, seen: boolean): void {
    this.#change(msgid, (m) => {
      m.flags = seen ? [...new Set([...m.flags, '\\Seen'])] : m.flags.filter((f) => f !== '\\Seen');
    });
    const m = this.#find(msgid);
    if (m) this.#notifyFlags(m);
  }

  /** Tells sessions selecting any folder that shows `m` its new flags, as Gmail does. */
  #notifyFlags(m: GmailMessage, except?: HcConnection): void {
    for (const box of this.#folders()) {
      const seq = box.messages.findIndex((w) => w.record === m) + 1;
      if (seq === 0) continue;
      const flags = m.flags.map((value) => ({ type: 'ATOM', value }));
      this.server.notify(
        {
          tag: '*',
          attributes: [
            seq,
            { type: 'ATOM', value: 'FETCH' },
            [{ type: 'ATOM', value: 'FLAGS' }, flags],
          ],
        },
        box,
        except,
      );
    }
  }
  /** Trash emptied, or "delete forever". */
  purge(msgid: string): void {
    this.#change(msgid, (m) => {
      m.purged = true;
    });
  }

  /** Where a message is seen now, or null once purged / never known. */
  where(msgid: string): GmailPlacement | null {
    const m = this.#find(msgid);
    if (m === undefined || m.purged) return null;
    const folders = this.#folders()
      .filter((box) => box.messages.some((w) => w.record === m))
      .map((box) => box.path);
    return { folders, labels: labelsOf(m), seen: m.flags.includes('\\Seen') };
  }

  /** The UID a message has in a folder now (to show UIDs change while X-GM-MSGID does not). */
  uidIn(msgid: string, folder: string): number | undefined {
    return this.#mailbox(folder)?.messages.find((w) => w.record?.msgid === msgid)?.uid;
  }

  #find(msgid: string): GmailMessage | undefined {
    return this.#messages.find((m) => m.msgid === msgid);
  }

  #change(msgid: string, fn: (m: GmailMessage) => void): void {
    const m = this.#find(msgid);
    if (m === undefined || m.purged) throw new Error(`no message ${msgid}`);
    fn(m);
    m.modseq = ++this.#modseq;
    this.#sync();
  }

  #create(
    raw: string,
    internaldate: string | Date | undefined,
    flags: string[],
    place: GmailMessage['place'],
  ): GmailMessage {
    this.#nextMsgid += 1n + BigInt(this.#messages.length * 7);
    const m: GmailMessage = {
      msgid: this.#nextMsgid.toString(),
      raw,
      internaldate: internaldate ?? new Date(),
      flags: [...flags],
      labels: new Set(),
      place,
      modseq: ++this.#modseq,
      purged: false,
    };
    this.#messages.push(m);
    return m;
  }

  #mailbox(path: string): HcMailbox | undefined {
    return this.server.getMailbox(path);
  }

  #folders(): HcMailbox[] {
    return Object.values(this.server.folderCache).filter((b) => !b.flags.includes('\\Noselect'));
  }

  /** Whether a folder shows a message. */
  #shows(box: HcMailbox, m: GmailMessage): boolean {
    if (m.purged) return false;
    const use = [box['special-use'] ?? []].flat();
    if (box.path.toUpperCase() === 'INBOX') return m.place === 'mail' && m.labels.has('\\Inbox');
    if (use.includes('\\All')) return m.place === 'mail';
    if (use.includes('\\Trash')) return m.place === 'trash';
    if (use.includes('\\Junk')) return m.place === 'spam';
    const label = use[0] ?? box.path;
    return m.place === 'mail' && m.labels.has(label);
  }

  /** COPY into `box`: Gmail adds the folder's label (Trash, Spam: moves there). */
  #copyInto(m: GmailMessage, box: HcMailbox): void {
    const use = [box['special-use'] ?? []].flat();
    if (use.includes('\\Trash')) {
      m.place = 'trash';
      m.labels.delete('\\Inbox');
    } else if (use.includes('\\Junk')) {
      m.place = 'spam';
      m.labels.delete('\\Inbox');
    } else {
      m.place = 'mail';
      if (box.path.toUpperCase() === 'INBOX') m.labels.add('\\Inbox');
      else if (!use.includes('\\All')) m.labels.add(use[0] ?? box.path);
    }
    m.modseq = ++this.#modseq;
  }

  /** EXPUNGE from `box`: INBOX or a label -> label removed (archived); All Mail -> Trash; Trash, Spam -> gone. */
  #expungeFrom(m: GmailMessage, box: HcMailbox): void {
    const use = [box['special-use'] ?? []].flat();
    if (use.includes('\\Trash') || use.includes('\\Junk')) m.purged = true;
    else if (use.includes('\\All')) {
      m.place = 'trash';
      m.labels.delete('\\Inbox');
    } else if (box.path.toUpperCase() === 'INBOX') m.labels.delete('\\Inbox');
    else m.labels.delete(use[0] ?? box.path);
    m.flags = m.flags.filter((f) => f !== '\\Deleted');
    m.modseq = ++this.#modseq;
  }

  /** A folder's view of one message: its own UID, everything else the message's. */
  #view(m: GmailMessage): HcMessage {
    const view = { record: m } as HcMessage;
    const self = this;
    Object.defineProperties(view, {
      flags: { get: () => m.flags, set: (v: string[]) => (m.flags = v), enumerable: true },
      raw: { get: () => m.raw, set: (v: string) => (m.raw = v), enumerable: true },
      internaldate: {
        get: () => m.internaldate,
        set: (v: string) => (m.internaldate = v),
        enumerable: true,
      },
      MODSEQ: {
        get: () => m.modseq,
        set(v: number) {
          m.modseq = v;
          self.#modseq = Math.max(self.#modseq, v);
        },
        enumerable: true,
      },
    });
    return view;
  }

  /** Brings every folder's message list in line with the labels, telling selected sessions. */
  #sync(): void {
    for (const box of this.#folders()) {
      for (let i = 0; i < box.messages.length; i++) {
        const record = box.messages[i]?.record;
        if (record !== undefined && this.#shows(box, record)) continue;
        box.messages.splice(i, 1);
        this.server.notify(
          { tag: '*', attributes: [i + 1, { type: 'ATOM', value: 'EXPUNGE' }] },
          box,
        );
        i--;
      }
      let added = false;
      for (const m of this.#messages) {
        if (!this.#shows(box, m) || box.messages.some((w) => w.record === m)) continue;
        const view = this.#view(m);
        box.messages.push(view);
        this.server.processMessage(view, box);
        added = true;
      }
      if (added) {
        this.server.notify(
          { tag: '*', attributes: [box.messages.length, { type: 'ATOM', value: 'EXISTS' }] },
          box,
        );
      }
    }
  }

  #install(): void {
    const server = this.server;
    // Gmail's HIGHESTMODSEQ is one counter for the whole account.
    for (const box of Object.values(server.folderCache)) {
      Object.defineProperty(box, 'HIGHESTMODSEQ', {
        get: () => this.#modseq,
        set: (v: number) => {
          this.#modseq = Math.max(this.#modseq, v);
        },
      });
    }
    // hoodiecrow enables silently; RFC 5161 (and Gmail) answer `* ENABLED CONDSTORE`, which
    // imapflow needs before it sends CHANGEDSINCE.
    const enable = server.getCommandHandler('ENABLE');
    server.setCommandHandler('ENABLE', (c, p, d, done) => {
      const asked = (p.attributes ?? []).flat().map((a) => String(a.value).toUpperCase());
      const granted = asked.filter((name) => name === 'CONDSTORE');
      if (c.state === 'Authenticated' && granted.length > 0) {
        c.send(
          {
            tag: '*',
            command: 'ENABLED',
            attributes: granted.map((value) => ({ type: 'ATOM', value })),
          },
          'ENABLED',
          p,
          d,
        );
      }
      enable(c, p, d, done);
    });
    // hoodiecrow tells no other session of a STORE; Gmail does (an IDLE on INBOX hears it).
    server.outputHandlers.push((c, _response, description, _parsed, _data, affected) => {
      if (description !== 'STORE COMPLETE' && description !== 'UID STORE COMPLETE') return;
      for (const a of Array.isArray(affected) ? affected : []) {
        const w = (Array.isArray(a) ? a[1] : a) as HcMessage | undefined;
        if (w?.record) this.#notifyFlags(w.record, c);
      }
    });
    server.registerCapability('X-GM-EXT-1');
    server.registerCapability('MOVE');
    server.fetchHandlers['X-GM-MSGID'] = (_c, w) => ({ type: 'ATOM', value: w.record?.msgid });
    // Every message is its own thread here.
    server.fetchHandlers['X-GM-THRID'] = (_c, w) => ({ type: 'ATOM', value: w.record?.msgid });
    server.fetchHandlers['X-GM-LABELS'] = (_c, w) =>
      w.record ? labelsOf(w.record).map((value) => ({ type: 'ATOM', value })) : [];
    server.searchHandlers['X-GM-MSGID'] = (_c, w, _seq, id) => w.record?.msgid === String(id);

    const storeLabels =
      (op: 'set' | 'add' | 'remove') =>
      (_c: HcConnection, w: HcMessage, flags: (HcAttribute | string)[]) => {
        const m = w.record;
        if (m === undefined) return;
        const names = flags.map((f) => String(typeof f === 'string' ? f : f.value));
        if (op === 'set') m.labels.clear();
        for (const name of names) {
          const place = name === '\\Trash' ? 'trash' : name === '\\Spam' ? 'spam' : undefined;
          if (place !== undefined) m.place = op === 'remove' ? 'mail' : place;
          else if (op === 'remove') m.labels.delete(name);
          else m.labels.add(name);
        }
        m.modseq = ++this.#modseq;
        this.#sync();
      };
    server.storeHandlers['X-GM-LABELS'] = storeLabels('set');
    server.storeHandlers['+X-GM-LABELS'] = storeLabels('add');
    server.storeHandlers['-X-GM-LABELS'] = storeLabels('remove');
    server.storeHandlers['X-GM-LABELS.SILENT'] = storeLabels('set');
    server.storeHandlers['+X-GM-LABELS.SILENT'] = storeLabels('add');
    server.storeHandlers['-X-GM-LABELS.SILENT'] = storeLabels('remove');

    // APPEND (and anything else that appends): a new message placed by the folder.
    server.appendMessage = (target, flags, internaldate, raw) => {
      const box = typeof target === 'string' ? this.#mailbox(target) : target;
      if (box === undefined) throw new Error('no such mailbox');
      const m = this.#create(raw, internaldate, flags, 'mail');
      this.#copyInto(m, box);
      this.#sync();
      const message = box.messages.find((w) => w.record === m) as HcMessage;
      return { mailbox: box, message };
    };

    for (const uid of [false, true]) {
      const prefix = uid ? 'UID ' : '';
      server.setCommandHandler(`${prefix}COPY`, (c, p, d, done) =>
        this.#copyOrMove(c, p, d, done, uid, false),
      );
      server.setCommandHandler(`${prefix}MOVE`, (c, p, d, done) =>
        this.#copyOrMove(c, p, d, done, uid, true),
      );
    }
    const expunge =
      (uid: boolean) => (c: HcConnection, p: HcParsed, d: string, done: () => void) => {
        const box = c.selectedMailbox;
        if (c.state !== 'Selected' || box === undefined)
          return this.#reply(c, p, d, done, 'BAD', 'Select mailbox first');
        const set = uid
          ? String((p.attributes?.[0] as HcAttribute | undefined)?.value ?? '')
          : '1:*';
        const inSet = new Set(server.getMessageRange(box, set, uid).map(([, w]) => w));
        for (const w of [...box.messages]) {
          if (w.record && inSet.has(w) && w.flags.includes('\\Deleted'))
            this.#expungeFrom(w.record, box);
        }
        this.#sync();
        this.#reply(c, p, d, done, 'OK', `${uid ? 'UID ' : ''}EXPUNGE completed`);
      };
    server.setCommandHandler('EXPUNGE', expunge(false));
    server.setCommandHandler('UID EXPUNGE', expunge(true));
    const close = server.getCommandHandler('CLOSE');
    server.setCommandHandler('CLOSE', (c, p, d, done) => {
      const box = c.selectedMailbox;
      if (box !== undefined && c.state === 'Selected') {
        for (const w of [...box.messages]) {
          if (w.record && w.flags.includes('\\Deleted')) this.#expungeFrom(w.record, box);
        }
        this.#sync();
      }
      close(c, p, d, done);
    });
  }

  #copyOrMove(
    c: HcConnection,
    p: HcParsed,
    d: string,
    done: () => void,
    uid: boolean,
    move: boolean,
  ): void {
    const name = `${uid ? 'UID ' : ''}${move ? 'MOVE' : 'COPY'}`;
    const source = c.selectedMailbox;
    const [set, path] = (p.attributes ?? []) as HcAttribute[];
    if (c.state !== 'Selected' || source === undefined) {
      this.#reply(c, p, d, done, 'BAD', 'Select mailbox first');
      return;
    }
    const target = this.#mailbox(String(path?.value ?? ''));
    if (target === undefined) {
      this.#reply(c, p, d, done, 'NO', 'Target mailbox does not exist', 'TRYCREATE');
      return;
    }
    const picked = this.server.getMessageRange(source, String(set?.value ?? ''), uid);
    const records = picked.map(([, w]) => w.record).filter((m) => m !== undefined);
    const sourceUids = picked.map(([, w]) => w.uid);
    for (const m of records) {
      this.#copyInto(m, target);
      // MOVE = COPY + EXPUNGE of the source copy, by the EXPUNGE rules (from Trash after a
      // move to INBOX the message is no longer there: nothing to expunge).
      if (move && target !== source && this.#shows(source, m)) this.#expungeFrom(m, source);
    }
    this.#sync();
    const targetUids = records.map((m) => target.messages.find((w) => w.record === m)?.uid ?? 0);
    const copyUid = {
      type: 'SECTION',
      section: [
        { type: 'ATOM', value: 'COPYUID' },
        target.uidvalidity,
        { type: 'SEQUENCE', value: sourceUids.join(',') },
        { type: 'SEQUENCE', value: targetUids.join(',') },
      ],
    };
    if (move && records.length > 0) {
      c.send({ tag: '*', command: 'OK', attributes: [copyUid] }, `${name} COPYUID_`, p, d);
    }
    c.send(
      {
        tag: p.tag,
        command: 'OK',
        attributes: [
          ...(!move && records.length > 0 ? [copyUid] : []),
          { type: 'TEXT', value: `${name} completed` },
        ],
      },
      `${name} done`,
      p,
      d,
    );
    done();
  }

  #reply(
    c: HcConnection,
    p: HcParsed,
    d: string,
    done: () => void,
    status: 'OK' | 'NO' | 'BAD',
    text: string,
    code?: string,
  ): void {
    c.send(
      {
        tag: p.tag,
        command: status,
        attributes: [
          ...(code ? [{ type: 'SECTION', section: [{ type: 'ATOM', value: code }] }] : []),
          { type: 'TEXT', value: text },
        ],
      },
      `GMAIL ${status}`,
      p,
      d,
    );
    done();
  }
}

function labelsOf(m: GmailMessage): string[] {
  return [...m.labels].sort();
}

function randomPassword(): string {
  return `pw-${Math.random().toString(36).slice(2)}`;
}
