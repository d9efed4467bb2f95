/**
 * The line grammar of Asterisk's config files (main/config.c), shared by voicemail.conf and
 * msgNNNN.txt: `;` starts a comment unless escaped as `\;`, `;--` ... `--;` is a block
 * comment (may nest), `[name](options)` opens a category, `#directive arg`, and
 * `name = value` / `name => value` with both sides stripped.
 */
export type ConfigLine =
  | { kind: 'blank'; line: number }
  | { kind: 'category'; line: number; name: string; options: string[] | null }
  | { kind: 'directive'; line: number; name: string; argument: string | null }
  | { kind: 'entry'; line: number; key: string; value: string; object: boolean; append: boolean }
  | { kind: 'invalid'; line: number; problem: string; text: string };

export interface TokenizeResult {
  lines: ConfigLine[];
  /** Set when a `;--` block comment never closed (Asterisk warns and reads on). */
  unterminatedCommentLine: number | null;
}

const MAX_NESTED_COMMENTS = 128;

/** Splits text into config lines. Never throws; problems come back as `invalid` lines. */
export function tokenizeConfig(text: string): TokenizeResult {
  const lines: ConfigLine[] = [];
  const raw = text.split(/\r?\n/);
  let depth = 0;
  let commentStart = 0;
  for (let i = 0; i < raw.length; i++) {
    const lineNo = i + 1;
    let rest = raw[i] ?? '';
    let kept = '';
    // Scan for comment markers; outside a block comment, keep the text.
    let pos = 0;
    while (pos < rest.length) {
      const ch = rest[pos];
      if (depth > 0) {
        if (rest.startsWith(';--', pos) && rest[pos + 3] !== '-') {
          if (depth < MAX_NESTED_COMMENTS) depth++;
          pos += 3;
        } else if (rest.startsWith('--;', pos)) {
          depth--;
          pos += 3;
        } else {
          pos++;
        }
        continue;
      }
      if (ch === '\\' && rest[pos + 1] === ';') {
        kept += ';';
        pos += 2;
        continue;
      }
      if (ch === ';') {
        if (rest.startsWith(';--', pos) && rest[pos + 3] !== '-') {
          depth = 1;
          commentStart = lineNo;
          pos += 3;
          continue;
        }
        // A line comment: drop the remainder.
        rest = '';
        break;
      }
      kept += ch;
      pos++;
    }
    lines.push(classify(kept.trim(), lineNo));
  }
  return { lines, unterminatedCommentLine: depth > 0 ? commentStart : null };
}

function classify(text: string, line: number): ConfigLine {
  if (text === '') return { kind: 'blank', line };
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    if (close < 0) return { kind: 'invalid', line, problem: "no closing ']'", text };
    const name = text.slice(1, close).trim();
    const after = text.slice(close + 1).trim();
    if (name === '') return { kind: 'invalid', line, problem: 'empty category name', text };
    if (after === '') return { kind: 'category', line, name, options: null };
    if (!after.startsWith('(') || !after.endsWith(')')) {
      return { kind: 'invalid', line, problem: "text after ']' is not '(options)'", text };
    }
    const options = after
      .slice(1, -1)
      .split(',')
      .map((o) => o.trim())
      .filter((o) => o !== '');
    return { kind: 'category', line, name, options };
  }
  if (text.startsWith('#')) {
    const m = /^#(\S+)\s*(.*)$/.exec(text);
    const name = (m?.[1] ?? '').toLowerCase();
    let argument = (m?.[2] ?? '').trim();
    if (
      (argument.startsWith('"') && argument.endsWith('"') && argument.length >= 2) ||
      (argument.startsWith('<') && argument.endsWith('>') && argument.length >= 2)
    ) {
      argument = argument.slice(1, -1);
    }
    return { kind: 'directive', line, name, argument: argument === '' ? null : argument };
  }
  const eq = text.indexOf('=');
  if (eq < 0) return { kind: 'invalid', line, problem: "no '=' in line", text };
  let key = text.slice(0, eq).trim();
  const append = key.endsWith('+');
  if (append) key = key.slice(0, -1).trim();
  let value = text.slice(eq + 1);
  let object = false;
  if (value.startsWith('>')) {
    object = true;
    value = value.slice(1);
  }
  if (key === '') return { kind: 'invalid', line, problem: 'no variable name', text };
  return { kind: 'entry', line, key, value: value.trim(), object, append };
}
