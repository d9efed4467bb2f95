import { createConnection, type Socket } from 'node:net';
import { VmsyncError } from '@vmsync/errors';

export interface AmiOptions {
  host: string;
  port: number;
  username: string;
  secret: string;
  timeoutMs?: number;
}

type Packet = Record<string, string>;

/**
 * A minimal Asterisk Manager Interface client: logs in and sends actions, one at a time,
 * over one connection that is reopened when it breaks. vmsync only needs
 * `VoicemailRefresh`, which makes Asterisk re-read a mailbox and update the phone's
 * message-waiting lamp after files changed under it.
 */
export class AmiClient {
  #socket: Socket | undefined;
  #buffer = '';
  #waiting: ((p: Packet) => void) | undefined;
  #actionId = 0;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly o: AmiOptions) {}

  /** Asks Asterisk to refresh a mailbox's state and lamp; resolves on `Response: Success`. */
  voicemailRefresh(context: string, mailbox: string): Promise<void> {
    return this.#serial(async () => {
      const response = await this.#action({
        Action: 'VoicemailRefresh',
        Context: context,
        Mailbox: mailbox,
      });
      if (response.Response !== 'Success') {
        throw new VmsyncError(
          'AMI_ACTION_FAILED',
          `VoicemailRefresh ${mailbox}@${context}: ${response.Message ?? 'failed'}`,
        );
      }
    });
  }

  close(): void {
    this.#socket?.destroy();
    this.#socket = undefined;
  }

  #serial<T>(work: () => Promise<T>): Promise<T> {
    const next = this.#queue.then(work, work);
    this.#queue = next.catch(() => undefined);
    return next;
  }

  async #action(fields: Packet): Promise<Packet> {
    if (!this.#socket) await this.#connect();
    try {
      return await this.#send(fields);
    } catch (error) {
      this.close();
      throw error;
    }
  }

  async #connect(): Promise<void> {
    const socket = createConnection({ host: this.o.host, port: this.o.port });
    this.#socket = socket;
    this.#buffer = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => this.#onData(chunk));
    socket.on('error', () => this.close());
    socket.on('close', () => {
      if (this.#socket === socket) this.#socket = undefined;
    });
    await this.#withTimeout(
      new Promise<void>((resolve, reject) => {
        socket.once('connect', resolve);
        socket.once('error', (e) =>
          reject(
            new VmsyncError('AMI_UNREACHABLE', `AMI ${this.o.host}:${this.o.port} unreachable`, {
              retriable: true,
              cause: e,
            }),
          ),
        );
      }),
    );
    const login = await this.#send({
      Action: 'Login',
      Username: this.o.username,
      Secret: this.o.secret,
    });
    if (login.Response !== 'Success') {
      this.close();
      // The secret is never part of the message.
      throw new VmsyncError(
        'AMI_LOGIN_FAILED',
        `AMI login as ${this.o.username} refused: ${login.Message ?? ''}`,
      );
    }
  }

  #send(fields: Packet): Promise<Packet> {
    const socket = this.#socket;
    if (!socket)
      return Promise.reject(
        new VmsyncError('AMI_UNREACHABLE', 'AMI not connected', { retriable: true }),
      );
    const id = String(++this.#actionId);
    const text = Object.entries({ ...fields, ActionID: id })
      .map(([k, v]) => `${k}: ${v}\r\n`)
      .join('');
    const reply = new Promise<Packet>((resolve) => {
      this.#waiting = (p) => {
        if (p.ActionID === id) {
          this.#waiting = undefined;
          resolve(p);
        }
      };
    });
    socket.write(`${text}\r\n`);
    return this.#withTimeout(reply);
  }

  #onData(chunk: string): void {
    this.#buffer += chunk;
    for (
      let end = this.#buffer.indexOf('\r\n\r\n');
      end >= 0;
      end = this.#buffer.indexOf('\r\n\r\n')
    ) {
      const block = this.#buffer.slice(0, end);
      this.#buffer = this.#buffer.slice(end + 4);
      const packet: Packet = {};
      for (const line of block.split('\r\n')) {
        const colon = line.indexOf(':');
        if (colon > 0) packet[line.slice(0, colon).trim()] = line.slice(colon + 1).trim();
      }
      this.#waiting?.(packet);
    }
  }

  #withTimeout<T>(promise: Promise<T>): Promise<T> {
    const ms = this.o.timeoutMs ?? 5000;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new VmsyncError('AMI_TIMEOUT', `AMI gave no answer in ${ms} ms`, { retriable: true }),
          ),
        ms,
      );
    });
    return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
  }
}
