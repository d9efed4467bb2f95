/**
 * Where a command writes: its result to stdout (text for people, or one JSON document
 * with --json), progress to stderr so a script reading stdout never sees it.
 */
export class Output {
  readonly lines: string[] = [];

  constructor(
    readonly json: boolean,
    private readonly out: (text: string) => void = (t) => process.stdout.write(t),
    private readonly err: (text: string) => void = (t) => process.stderr.write(t),
  ) {}

  /** A step of a long operation ("minting a token for ..."). */
  progress(message: string): void {
    if (!this.json) this.err(`… ${message}\n`);
  }

  /** Prints the result: `human()` as text, or `data` as JSON. */
  result(data: unknown, human: () => string): void {
    this.out(this.json ? `${JSON.stringify(data, null, 2)}\n` : `${human().trimEnd()}\n`);
  }

  /** A one-line failure (the command's result when it could not run). */
  failure(code: string, message: string): void {
    if (this.json) this.out(`${JSON.stringify({ ok: false, error: { code, message } })}\n`);
    else this.err(`error: ${message}\n`);
  }
}

/** Rows as aligned columns. */
export function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)].join('\n');
}

export function ago(ms: number, now = Date.now()): string {
  const s = Math.max(0, Math.round((now - ms) / 1000));
  if (s < 90) return `${s} s ago`;
  if (s < 90 * 60) return `${Math.round(s / 60)} min ago`;
  if (s < 36 * 3600) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86400)} d ago`;
}
