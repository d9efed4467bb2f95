import { VmsyncError } from '@vmsync/errors';
import type { PairKind } from '@vmsync/events';
import { type ConfigLine, tokenizeConfig } from './asterisk-config-lines.js';
import { DEFAULT_MAX_MSG, isSafeSegment, MAX_MSG_LIMIT, mailboxId } from './spool-layout.js';

/** voicemail.conf that Asterisk itself would refuse to load; names the file and line. */
export class VoicemailConfError extends VmsyncError {
  readonly file: string;
  readonly line: number | null;

  constructor(file: string, line: number | null, detail: string) {
    super('VOICEMAIL_CONF_INVALID', `${file}${line === null ? '' : `:${line}`}: ${detail}`, {
      retriable: false,
    });
    this.name = 'VoicemailConfError';
    this.file = file;
    this.line = line;
  }
}

/** What Asterisk would only log a warning about (and then carry on). */
export interface ConfWarning {
  file: string;
  line: number;
  message: string;
}

/** One `mailbox => password,name,email,pager,options` line. The password is never kept. */
export interface VoicemailUser {
  /** `mailbox@context`, as VoicemailRef.mailbox. */
  id: string;
  context: string;
  mailbox: string;
  fullname: string;
  /** Every address of the email field (Asterisk sends to each, `|`-separated). */
  emails: string[];
  /** Who is synchronized (DESIGN.md §5): the first valid address, and whether the WAV is attached. */
  notify: { email: string; kind: PairKind } | null;
  attach: boolean;
  /** The attachment's format (`attachfmt`, else the first of `format`), e.g. `wav` or `WAV`. */
  attachFormat: string;
  /** `backupdeleted` as app_voicemail reads it: how many messages Deleted keeps; 0 = none. */
  maxDeleted: number;
  /** `maxmsg`: messages per folder. */
  maxMsg: number;
  moveHeard: boolean;
  /** `delete=yes`: Asterisk removes the voicemail once it is emailed. */
  deleteAfterEmail: boolean;
  serverEmail: string;
  /** Where it was defined. */
  file: string;
  line: number;
}

export interface VoicemailConf {
  /** `[general]`, keys lower-cased; the first definition wins, as ast_variable_retrieve reads it. */
  general: Record<string, string>;
  users: VoicemailUser[];
  warnings: ConfWarning[];
}

export interface ConfSource {
  file: string;
  text: string;
}

export interface ParseVoicemailConfOptions {
  /** Names the input in errors and warnings. */
  file?: string;
  /**
   * Resolves `#include`/`#tryinclude`; null when the file does not exist. Without it an
   * include is an error (a pure parse cannot see other files).
   */
  readInclude?: (name: string, fromFile: string) => ConfSource | null;
}

interface Entry {
  key: string;
  value: string;
  file: string;
  line: number;
}

interface Category {
  name: string;
  template: boolean;
  entries: Entry[];
}

const MAX_INCLUDE_DEPTH = 10;
const MAX_CONF_BYTES = 16 * 1024 * 1024;

/** Pure: text in, users out. Throws only VoicemailConfError. */
export function parseVoicemailConf(
  text: string,
  options: ParseVoicemailConfOptions = {},
): VoicemailConf {
  const file = options.file ?? 'voicemail.conf';
  const warnings: ConfWarning[] = [];
  const categories: Category[] = [];
  const state = { current: null as Category | null, bytes: 0 };

  const load = (source: ConfSource, depth: number, stack: string[]): void => {
    state.bytes += source.text.length;
    if (state.bytes > MAX_CONF_BYTES) {
      throw new VoicemailConfError(source.file, null, 'configuration is larger than 16 MiB');
    }
    const { lines, unterminatedCommentLine } = tokenizeConfig(source.text);
    for (const l of lines) handleLine(l, source, depth, stack);
    if (unterminatedCommentLine !== null) {
      warnings.push({
        file: source.file,
        line: unterminatedCommentLine,
        message: 'unterminated ;-- block comment',
      });
    }
  };

  const handleLine = (l: ConfigLine, source: ConfSource, depth: number, stack: string[]): void => {
    const f = source.file;
    switch (l.kind) {
      case 'blank':
        return;
      case 'invalid':
        if (l.problem === "no '=' in line" || l.problem === 'no variable name') {
          warnings.push({ file: f, line: l.line, message: `${l.problem}; ignored` });
          return;
        }
        throw new VoicemailConfError(f, l.line, l.problem);
      case 'category':
        state.current = openCategory(l, f, categories);
        return;
      case 'directive': {
        if (l.name !== 'include' && l.name !== 'tryinclude') {
          warnings.push({
            file: f,
            line: l.line,
            message:
              l.name === 'exec'
                ? '#exec is not run by vmsync; ignored'
                : `unknown directive #${l.name}; ignored`,
          });
          return;
        }
        if (l.argument === null) {
          warnings.push({
            file: f,
            line: l.line,
            message: `#${l.name} needs a file name; ignored`,
          });
          return;
        }
        if (depth >= MAX_INCLUDE_DEPTH || stack.includes(l.argument)) {
          throw new VoicemailConfError(
            f,
            l.line,
            `#${l.name} ${l.argument} nests too deep or loops`,
          );
        }
        if (!options.readInclude) {
          throw new VoicemailConfError(
            f,
            l.line,
            `#${l.name} ${l.argument}: includes cannot be read here`,
          );
        }
        const included = options.readInclude(l.argument, f);
        if (included === null) {
          if (l.name === 'tryinclude') return;
          throw new VoicemailConfError(f, l.line, `#include ${l.argument}: file does not exist`);
        }
        load(included, depth + 1, [...stack, l.argument]);
        return;
      }
      case 'entry': {
        if (state.current === null) {
          throw new VoicemailConfError(f, l.line, `'${l.key}' is not inside any [context]`);
        }
        const entries = state.current.entries;
        const previous = l.append ? entries.findLast((e) => e.key === l.key) : undefined;
        if (previous) previous.value = `${previous.value}${l.value}`;
        else entries.push({ key: l.key, value: l.value, file: f, line: l.line });
        return;
      }
    }
  };

  load({ file, text }, 0, [file]);
  return interpret(categories, warnings);
}

function openCategory(
  l: Extract<ConfigLine, { kind: 'category' }>,
  file: string,
  categories: Category[],
): Category {
  const find = (name: string) => categories.findLast((c) => c.name === name);
  const cat: Category = { name: l.name, template: false, entries: [] };
  for (const option of l.options ?? []) {
    if (option === '!') {
      cat.template = true;
    } else if (option.startsWith('+')) {
      const existing = find(l.name);
      if (!existing) {
        throw new VoicemailConfError(
          file,
          l.line,
          `[${l.name}](+) adds to a category that does not exist`,
        );
      }
      return existing;
    } else {
      const base = find(option);
      if (!base) {
        throw new VoicemailConfError(
          file,
          l.line,
          `[${l.name}] inherits from unknown category '${option}'`,
        );
      }
      cat.entries.push(...base.entries.map((e) => ({ ...e })));
    }
  }
  categories.push(cat);
  return cat;
}

/** ast_true(): what Asterisk takes for "yes". */
export function asteriskTrue(value: string): boolean {
  return ['yes', 'true', 'y', 't', '1', 'on'].includes(value.trim().toLowerCase());
}

/** `backupdeleted` / `maxmsg` as app_voicemail reads them (leading integer, else yes/no). */
function messageCount(value: string, fallbackWhenTrue: number): number {
  const m = /^\s*([+-]?\d+)/.exec(value);
  let n: number;
  if (m?.[1] !== undefined) n = Number.parseInt(m[1], 10);
  else n = asteriskTrue(value) ? fallbackWhenTrue : 0;
  if (n < 0) return DEFAULT_MAX_MSG;
  return Math.min(n, MAX_MSG_LIMIT);
}

// A practical address check: one @, a dotted domain, no spaces or brackets.
const EMAIL =
  /^[^\s@<>(),;:"[\]\\]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$/;

function interpret(categories: Category[], warnings: ConfWarning[]): VoicemailConf {
  const general: Record<string, string> = {};
  for (const c of categories) {
    if (c.name.toLowerCase() !== 'general' || c.template) continue;
    for (const e of c.entries) {
      const k = e.key.toLowerCase();
      // ast_variable_retrieve returns the first definition.
      if (!(k in general)) general[k] = e.value;
    }
  }
  const g = (k: string): string | undefined => general[k];
  const skip = new Set(['general', 'zonemessages']);
  const aliases = g('aliasescontext');
  if (aliases) skip.add(aliases.toLowerCase());

  const defaults = {
    attach: asteriskTrue(g('attach') ?? 'yes'),
    maxDeleted:
      g('backupdeleted') === undefined
        ? 0
        : messageCount(g('backupdeleted') ?? '', DEFAULT_MAX_MSG),
    maxMsg:
      g('maxmsg') === undefined
        ? DEFAULT_MAX_MSG
        : messageCount(g('maxmsg') ?? '', DEFAULT_MAX_MSG),
    moveHeard: asteriskTrue(g('moveheard') ?? 'yes'),
    serverEmail: g('serveremail') || 'asterisk',
    format: (g('format') ?? 'wav').split('|')[0]?.trim() || 'wav',
  };

  const users: VoicemailUser[] = [];
  const seen = new Set<string>();
  for (const c of categories) {
    if (c.template || skip.has(c.name.toLowerCase())) continue;
    const context = c.name;
    if (!isSafeSegment(context)) {
      warnings.push({
        file: c.entries[0]?.file ?? '',
        line: c.entries[0]?.line ?? 0,
        message: `context '${context}' cannot be a spool directory; skipped`,
      });
      continue;
    }
    for (const e of c.entries) {
      const user = interpretUser(context, e, defaults, warnings);
      if (!user) continue;
      if (seen.has(user.id)) {
        warnings.push({
          file: e.file,
          line: e.line,
          message: `mailbox ${user.id} is defined twice; the first wins`,
        });
        continue;
      }
      seen.add(user.id);
      users.push(user);
    }
  }
  return { general, users, warnings };
}

function interpretUser(
  context: string,
  e: Entry,
  defaults: {
    attach: boolean;
    maxDeleted: number;
    maxMsg: number;
    moveHeard: boolean;
    serverEmail: string;
    format: string;
  },
  warnings: ConfWarning[],
): VoicemailUser | null {
  const mailbox = e.key;
  if (!isSafeSegment(mailbox)) {
    warnings.push({
      file: e.file,
      line: e.line,
      message: `mailbox '${mailbox}' cannot be a spool directory; skipped`,
    });
    return null;
  }
  // append_mailbox: strsep on ',' four times; the remainder, commas and all, is the options.
  const parts = e.value.split(',');
  const fullname = parts[1]?.trim() ?? '';
  const emailField = parts[2]?.trim() ?? '';
  const optionsText = parts.length > 4 ? parts.slice(4).join(',') : '';
  const options = new Map<string, string>();
  for (const item of optionsText.split('|')) {
    const eq = item.indexOf('=');
    if (eq < 0) continue; // Asterisk ignores an option without '='.
    const k = item.slice(0, eq).trim().toLowerCase();
    if (k !== '') options.set(k, item.slice(eq + 1).trim());
  }
  const opt = (k: string): string | undefined => options.get(k);

  const emails = emailField
    .split('|')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  const valid = emails.filter((a) => EMAIL.test(a));
  if (valid.length < emails.length) {
    warnings.push({
      file: e.file,
      line: e.line,
      message: `mailbox ${mailbox}@${context}: '${emails.find((a) => !EMAIL.test(a))}' is not an email address`,
    });
  }
  const attach = opt('attach') === undefined ? defaults.attach : asteriskTrue(opt('attach') ?? '');
  const deleteOpt = opt('delete') ?? opt('deletevoicemail');
  const deleteAfterEmail = deleteOpt !== undefined && asteriskTrue(deleteOpt);
  const first = valid[0];
  return {
    id: mailboxId(context, mailbox),
    context,
    mailbox,
    fullname,
    emails,
    // With delete=yes the email is the only copy: nothing on the PBX to keep in sync.
    notify:
      first !== undefined && !deleteAfterEmail
        ? { email: first, kind: attach ? 'wav' : 'text' }
        : null,
    attach,
    attachFormat: opt('attachfmt') || defaults.format,
    maxDeleted:
      opt('backupdeleted') === undefined
        ? defaults.maxDeleted
        : messageCount(opt('backupdeleted') ?? '', DEFAULT_MAX_MSG),
    maxMsg:
      opt('maxmsg') === undefined
        ? defaults.maxMsg
        : messageCount(opt('maxmsg') ?? '', DEFAULT_MAX_MSG),
    moveHeard:
      opt('moveheard') === undefined ? defaults.moveHeard : asteriskTrue(opt('moveheard') ?? ''),
    deleteAfterEmail,
    serverEmail: opt('serveremail') || defaults.serverEmail,
    file: e.file,
    line: e.line,
  };
}
