/**
 * At most `limit` connection attempts in flight (TCP + TLS + token + login): after a restart
 * a thousand mailboxes connect at once; beyond a few dozen concurrent handshakes the IMAP
 * server and this process only queue them in their own buffers, each holding memory.
 */
export class ConnectGate {
  #active = 0;
  readonly #waiting: Array<() => void> = [];

  constructor(private readonly limit: number) {
    if (!(limit >= 1)) throw new RangeError('limit >= 1');
  }

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.#active >= this.limit) {
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
    } else {
      this.#active++;
    }
    try {
      return await work();
    } finally {
      const next = this.#waiting.shift();
      if (next) next();
      else this.#active--;
    }
  }
}
