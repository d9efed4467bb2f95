/**
 * Pure helpers for the email-side benchmark: reading `ss -tinpoH` output, classic pcap
 * files (tcpdump -w), /proc/<pid>/status, /proc/<pid>/stat and /proc/stat. No I/O here;
 * callers pass the text or bytes.
 */

/** One TCP socket as `ss -tinpoH` prints it (two lines: the socket, then its tcp_info). */
export interface SsSocket {
  local: string;
  peer: string;
  localPort: number;
  peerPort: number;
  /** Pids of the processes holding the socket (from `users:((...,pid=N,...))`). */
  pids: number[];
  bytesAcked: number;
  bytesReceived: number;
  segsOut: number;
  segsIn: number;
  /** `timer:(keepalive,59sec,0)` → 'keepalive'; null when no timer is armed. */
  timer: string | null;
}

const portOf = (address: string): number => Number(address.slice(address.lastIndexOf(':') + 1));

const num = (info: string, name: string): number => {
  const m = new RegExp(`(?:^|\\s)${name}:(\\d+)`).exec(info);
  return m ? Number(m[1]) : 0;
};

/** Parses `ss -tinpoH` (or -tinH) output: a socket line, then indented tcp_info line(s). */
export function parseSs(text: string): SsSocket[] {
  const out: SsSocket[] = [];
  let current: { head: string; info: string } | undefined;
  const flush = () => {
    if (!current) return;
    // [State] Recv-Q Send-Q Local Peer [users:(...)] [timer:(...)]: State is left out
    // when the command filters on one state.
    const [local = '', peer = ''] = current.head
      .trim()
      .split(/\s+/)
      .filter((f) => /^\S+:(\d+|\*)$/.test(f) && !f.startsWith('users:'));
    const all = `${current.head} ${current.info}`;
    const pids = [...current.head.matchAll(/pid=(\d+)/g)].map((m) => Number(m[1]));
    const timer = /timer:\((\w+)/.exec(all)?.[1] ?? null;
    out.push({
      local,
      peer,
      localPort: portOf(local),
      peerPort: portOf(peer),
      pids,
      bytesAcked: num(current.info, 'bytes_acked'),
      bytesReceived: num(current.info, 'bytes_received'),
      segsOut: num(current.info, 'segs_out'),
      segsIn: num(current.info, 'segs_in'),
      timer,
    });
    current = undefined;
  };
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    if (/^\s/.test(line)) {
      if (current) current.info += ` ${line.trim()}`;
    } else {
      flush();
      current = { head: line, info: '' };
    }
  }
  flush();
  return out;
}

/** Per-direction totals of the frames of a capture that belong to the selected sockets. */
export interface PcapTotals {
  frames: number;
  /** Captured frame lengths (orig_len): on loopback, a 14 B Ethernet header + IP + TCP + data. */
  frameBytes: number;
  /** TCP payload (here: TLS records, i.e. the encrypted IMAP stream). */
  payloadBytes: number;
  /** IMAP bytes inside it: see PcapSocketTotals.imapBytes. */
  imapBytes: number;
  /** TCP payload not read as whole TLS records (cut by the capture's snap length). */
  unreadBytes: number;
  /** Frames without payload (ACKs, keepalive probes and their ACKs). */
  emptyFrames: number;
  /**
   * TCP keepalive probes from the client: an empty segment one below the next sequence
   * number, which the server answers at once with an ACK of that sequence number + 1.
   */
  keepaliveProbes: number;
  firstTs: number;
  lastTs: number;
}

export interface PcapSocketTotals {
  /** The client-side port (the one that is not `serverPort`). */
  port: number;
  frames: number;
  frameBytes: number;
  payloadBytes: number;
  /**
   * The IMAP bytes the TLS records carried: each application-data record's length less
   * TLS 1.3's 17 B (inner content type + 16 B AEAD tag), without its 5 B header. Read from
   * the records' headers, so the capture needs them (snap length).
   */
  imapBytes: number;
  keepaliveProbes: number;
  /** Segments from the server with exactly `markInPayload` bytes of payload. */
  marked: number;
}

/**
 * Sums a classic pcap (tcpdump -w, Ethernet or Linux cooked link type) for TCP frames with
 * `serverPort` on one side and one of `clientPorts` on the other. Timestamps in seconds.
 */
export function sumPcap(
  data: Buffer,
  serverPort: number,
  clientPorts: ReadonlySet<number>,
  markInPayload = -1,
): {
  total: PcapTotals;
  perSocket: Map<number, PcapSocketTotals>;
  /** Segments by direction and payload size: `in:39` = from the server, 39 B of payload. */
  sizes: Map<string, number>;
} {
  const total: PcapTotals = {
    frames: 0,
    frameBytes: 0,
    payloadBytes: 0,
    imapBytes: 0,
    unreadBytes: 0,
    emptyFrames: 0,
    keepaliveProbes: 0,
    firstTs: Number.NaN,
    lastTs: Number.NaN,
  };
  const perSocket = new Map<number, PcapSocketTotals>();
  const sizes = new Map<string, number>();
  // Per client port: the sequence number of its last empty segment, until the server speaks.
  const emptyFromClient = new Map<number, number>();
  const records = new TlsRecordReader();
  if (data.length < 24) return { total, perSocket, sizes };
  const magic = data.readUInt32LE(0);
  let le: boolean;
  let nano = false;
  if (magic === 0xa1b2c3d4 || magic === 0xa1b23c4d) {
    le = true;
    nano = magic === 0xa1b23c4d;
  } else if (data.readUInt32BE(0) === 0xa1b2c3d4 || data.readUInt32BE(0) === 0xa1b23c4d) {
    le = false;
    nano = data.readUInt32BE(0) === 0xa1b23c4d;
  } else {
    throw new Error('not a classic pcap file (pcapng is not read here: use tcpdump -w)');
  }
  const u32 = (o: number) => (le ? data.readUInt32LE(o) : data.readUInt32BE(o));
  const linkType = u32(20);
  // 1: Ethernet (14 B header, loopback on Linux); 113: Linux cooked (16 B).
  const linkHeader = linkType === 1 ? 14 : linkType === 113 ? 16 : -1;
  if (linkHeader < 0) throw new Error(`unsupported pcap link type ${linkType}`);
  let o = 24;
  while (o + 16 <= data.length) {
    const ts = u32(o) + u32(o + 4) / (nano ? 1e9 : 1e6);
    const inclLen = u32(o + 8);
    const origLen = u32(o + 12);
    const p = o + 16;
    o = p + inclLen;
    if (o > data.length) break;
    const ip = p + linkHeader;
    if (ip + 20 > p + inclLen) continue;
    const etherType = data.readUInt16BE(ip - 2);
    if (etherType !== 0x0800) continue; // IPv4 only: the stack listens on 127.0.0.1
    const ihl = (data.readUInt8(ip) & 0x0f) * 4;
    if (data.readUInt8(ip + 9) !== 6) continue;
    const ipTotal = data.readUInt16BE(ip + 2);
    const tcp = ip + ihl;
    if (tcp + 14 > p + inclLen) continue;
    const src = data.readUInt16BE(tcp);
    const dst = data.readUInt16BE(tcp + 2);
    const client = src === serverPort ? dst : dst === serverPort ? src : -1;
    if (client < 0 || !clientPorts.has(client)) continue;
    const tcpHeader = (data.readUInt8(tcp + 12) >> 4) * 4;
    // With TSO/GRO on loopback one "frame" may carry several segments; ipTotal is then 0
    // or the super-segment's length: derive the payload from the frame length if needed.
    const payload = Math.max(0, (ipTotal > 0 ? ipTotal : origLen - linkHeader) - ihl - tcpHeader);
    const seq = data.readUInt32BE(tcp + 4);
    const ack = data.readUInt32BE(tcp + 8);
    const flags = data.readUInt8(tcp + 13);
    let probe = false;
    if (src === serverPort) {
      // A normal ACK acknowledges the client's next byte; the answer to a probe, the probe's
      // own (one-below) sequence number + 1.
      const pending = emptyFromClient.get(client);
      probe = pending !== undefined && payload === 0 && ack === (pending + 1) >>> 0;
      emptyFromClient.delete(client);
    } else if (payload <= 1 && (flags & 0x07) === 0) {
      emptyFromClient.set(client, seq);
    } else {
      emptyFromClient.delete(client);
    }
    const dataAt = tcp + tcpHeader;
    const read = records.read(
      `${client}:${src === serverPort ? 'in' : 'out'}`,
      data.subarray(Math.min(dataAt, p + inclLen), p + inclLen),
      payload,
    );
    total.frames++;
    total.frameBytes += origLen;
    total.payloadBytes += payload;
    total.imapBytes += read.imapBytes;
    total.unreadBytes += read.unreadBytes;
    if (payload === 0) total.emptyFrames++;
    if (probe) total.keepaliveProbes++;
    const sizeKey = `${src === serverPort ? 'in' : 'out'}:${payload}`;
    sizes.set(sizeKey, (sizes.get(sizeKey) ?? 0) + 1);
    if (Number.isNaN(total.firstTs)) total.firstTs = ts;
    total.lastTs = ts;
    const s = perSocket.get(client) ?? {
      port: client,
      frames: 0,
      frameBytes: 0,
      payloadBytes: 0,
      imapBytes: 0,
      keepaliveProbes: 0,
      marked: 0,
    };
    s.frames++;
    s.frameBytes += origLen;
    s.payloadBytes += payload;
    s.imapBytes += read.imapBytes;
    if (probe) s.keepaliveProbes++;
    if (src === serverPort && payload === markInPayload) s.marked++;
    perSocket.set(client, s);
  }
  return { total, perSocket, sizes };
}

const TLS_HEADER = 5;
const TLS_APPLICATION_DATA = 23;
/** TLS 1.3: the inner content type (1 B) and the AEAD tag (16 B) in every record's body. */
const TLS13_RECORD_OVERHEAD = 17;

/**
 * Follows TLS records through the segments of each direction of a connection (a record may
 * span segments). A stream is read from its first segment in the capture, assumed to begin
 * at a record (true of connections that were quiet when the capture began); once a header
 * is not where a record should start, or cut off by the snap length, that direction's rest
 * counts as unread.
 */
export class TlsRecordReader {
  /** Per stream: bytes of the current record still to come, or -1 when lost. */
  readonly #toSkip = new Map<string, number>();

  /** `captured`: the segment's payload as captured (maybe cut); `length`: its real length. */
  read(
    stream: string,
    captured: Buffer,
    length: number,
  ): { imapBytes: number; unreadBytes: number } {
    let skip = this.#toSkip.get(stream) ?? 0;
    if (skip < 0) return { imapBytes: 0, unreadBytes: length };
    let imapBytes = 0;
    let at = skip;
    while (at < length) {
      const type = captured[at];
      const valid =
        at + TLS_HEADER <= captured.length &&
        type !== undefined &&
        type >= 20 &&
        type <= 23 &&
        captured[at + 1] === 3;
      if (!valid) {
        this.#toSkip.set(stream, -1);
        return { imapBytes, unreadBytes: length - at };
      }
      const body = captured.readUInt16BE(at + 3);
      if (type === TLS_APPLICATION_DATA) imapBytes += Math.max(0, body - TLS13_RECORD_OVERHEAD);
      at += TLS_HEADER + body;
    }
    skip = at - length;
    this.#toSkip.set(stream, skip);
    return { imapBytes, unreadBytes: 0 };
  }
}

/**
 * RssAnon in bytes from the text of /proc/<pid>/status (the process's own memory, without
 * mapped files the kernel may drop and read back at any time); NaN when absent.
 */
export function rssAnonBytes(status: string): number {
  const m = /^RssAnon:\s+(\d+)\s+kB/m.exec(status);
  return m ? Number(m[1]) * 1024 : Number.NaN;
}

/** VmRSS in bytes from the text of /proc/<pid>/status; NaN when absent. */
export function vmRssBytes(status: string): number {
  const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  return m ? Number(m[1]) * 1024 : Number.NaN;
}

/** Busy and total jiffies of the whole machine from the text of /proc/stat. */
export function machineJiffies(stat: string): { busy: number; total: number; irq: number } {
  const line = stat.split('\n').find((l) => l.startsWith('cpu ')) ?? '';
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  const total = v.slice(0, 8).reduce((a, b) => a + b, 0);
  const idle = (v[3] ?? 0) + (v[4] ?? 0);
  // irq + softirq: loopback TCP is processed there and charged to no process.
  return { busy: total - idle, total, irq: (v[5] ?? 0) + (v[6] ?? 0) };
}

/** utime + stime (clock ticks) of a process from the text of /proc/<pid>/stat. */
export function processTicks(stat: string): number {
  // The command name may contain spaces and parentheses: fields start after the last ')'.
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // rest[0] is field 3 (state); utime and stime are fields 14 and 15.
  return Number(rest[11]) + Number(rest[12]);
}

/** pid, ppid and CPU ticks (own; and of waited-for children) from /proc/<pid>/stat text. */
export function processStat(stat: string): {
  ppid: number;
  ticks: number;
  childTicks: number;
} {
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return {
    ppid: Number(rest[1]),
    ticks: Number(rest[11]) + Number(rest[12]),
    childTicks: Number(rest[13]) + Number(rest[14]),
  };
}

/**
 * TCP keepalive probes per connection per second when a connection's only traffic is a poll
 * every `pollS` (jittered uniformly by +-20 %) and the server's keepalive line every
 * `stillHereS` (at the same moment for all): a probe goes out after `keepaliveS` of silence,
 * and again after each further `keepaliveS` (an answered probe restarts the timer).
 * Simulated over `hours` per connection for `connections` connections, seeded.
 */
export function keepaliveProbeRate(
  pollS: number,
  stillHereS: number,
  keepaliveS: number,
  connections = 200,
  hours = 2,
): number {
  if (keepaliveS <= 0) return 0;
  let seed = 12345;
  const rnd = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  const span = hours * 3600;
  let probes = 0;
  for (let c = 0; c < connections; c++) {
    const events: number[] = [];
    for (let t = rnd() * pollS; t < span; t += pollS * (0.8 + 0.4 * rnd())) events.push(t);
    for (let t = stillHereS; t < span; t += stillHereS) events.push(t);
    events.sort((a, b) => a - b);
    let last = 0;
    for (const t of [...events, span]) {
      // A probe at each multiple of keepaliveS strictly inside the gap (one due at the very
      // moment traffic comes is not sent).
      probes += Math.max(0, Math.ceil((t - last) / keepaliveS) - 1);
      last = t;
    }
  }
  return probes / connections / span;
}
