import { VmsyncError } from '@vmsync/errors';
import { tokenizeConfig } from './asterisk-config-lines.js';

/**
 * A message's `msgNNNN.txt` (app_voicemail file storage): a few `;` comment lines, then a
 * `[message]` section. Fields Asterisk writes are typed; anything else is kept in `extra`
 * so a copy made by vmsync says exactly what the original said.
 */
export interface MessageMetadata {
  origmailbox: string;
  context: string;
  /** Written by Asterisk before 12 only. */
  macrocontext: string | null;
  exten: string;
  rdnis: string;
  priority: string;
  callerchan: string;
  callerid: string;
  origdate: string;
  /** Unix seconds. */
  origtime: number;
  category: string;
  /** `<unixtime>-<8 hex counter>`; null in files written before Asterisk 12. */
  msgId: string | null;
  flag: string;
  /** Seconds. Always the last line Asterisk writes, so it marks a complete file. */
  duration: number;
  extra: Array<[string, string]>;
}

export type MetadataProblem = 'partial' | 'corrupt';

/**
 * A `msgNNNN.txt` that cannot be read as a whole. `partial` (empty, cut short) is what a
 * file being written looks like and is retriable; `corrupt` is not. Neither means deleted.
 */
export class MessageMetadataError extends VmsyncError {
  readonly problem: MetadataProblem;
  readonly source: string;
  readonly line: number | null;

  constructor(problem: MetadataProblem, source: string, line: number | null, detail: string) {
    super(
      problem === 'partial' ? 'SPOOL_METADATA_PARTIAL' : 'SPOOL_METADATA_CORRUPT',
      `${source}${line === null ? '' : `:${line}`}: ${detail}`,
      { retriable: problem === 'partial' },
    );
    this.name = 'MessageMetadataError';
    this.problem = problem;
    this.source = source;
    this.line = line;
  }
}

/** Asterisk writes small files; anything this big is not one of them. */
export const MAX_METADATA_BYTES = 64 * 1024;

const TYPED = new Set([
  'origmailbox',
  'context',
  'macrocontext',
  'exten',
  'rdnis',
  'priority',
  'callerchan',
  'callerid',
  'origdate',
  'origtime',
  'category',
  'msg_id',
  'flag',
  'duration',
]);

export function parseMessageMetadata(text: string, source = 'msg.txt'): MessageMetadata {
  if (text.length > MAX_METADATA_BYTES) {
    throw new MessageMetadataError(
      'corrupt',
      source,
      null,
      `larger than ${MAX_METADATA_BYTES} bytes`,
    );
  }
  if (text.trim() === '') throw new MessageMetadataError('partial', source, null, 'file is empty');
  if (text.includes('\0'))
    throw new MessageMetadataError('corrupt', source, null, 'contains NUL bytes');
  // Asterisk ends every line with a newline: a file without one was cut short.
  if (!text.endsWith('\n')) {
    throw new MessageMetadataError('partial', source, null, 'last line has no newline (cut short)');
  }

  const { lines } = tokenizeConfig(text);
  const fields = new Map<string, string>();
  const extra: Array<[string, string]> = [];
  let section: string | null = null;
  let sawMessage = false;
  for (const l of lines) {
    switch (l.kind) {
      case 'blank':
      case 'directive':
        break;
      case 'invalid':
        throw new MessageMetadataError('corrupt', source, l.line, l.problem);
      case 'category':
        section = l.name;
        if (section === 'message') sawMessage = true;
        break;
      case 'entry':
        if (section === null) {
          throw new MessageMetadataError(
            'corrupt',
            source,
            l.line,
            `'${l.key}' before any [section]`,
          );
        }
        if (section !== 'message') break;
        // Like ast_variable_retrieve: the first occurrence wins.
        if (TYPED.has(l.key)) {
          if (!fields.has(l.key)) fields.set(l.key, l.value);
        } else {
          extra.push([l.key, l.value]);
        }
        break;
    }
  }
  if (!sawMessage) {
    const onlyComments = lines.every((l) => l.kind === 'blank');
    throw new MessageMetadataError(
      onlyComments ? 'partial' : 'corrupt',
      source,
      null,
      'no [message] section',
    );
  }
  const durationText = fields.get('duration');
  if (durationText === undefined) {
    throw new MessageMetadataError('partial', source, null, 'no duration line (cut short)');
  }
  const duration = parseCount(durationText, 'duration', source);
  const origtimeText = fields.get('origtime');
  if (origtimeText === undefined) {
    throw new MessageMetadataError('corrupt', source, null, 'no origtime');
  }
  const origtime = parseCount(origtimeText, 'origtime', source);
  const msgId = fields.get('msg_id') ?? '';
  if (msgId !== '' && !/^[\x21-\x7e]{1,255}$/.test(msgId)) {
    throw new MessageMetadataError(
      'corrupt',
      source,
      null,
      'msg_id has spaces or control characters',
    );
  }
  const get = (k: string): string => fields.get(k) ?? '';
  return {
    origmailbox: get('origmailbox'),
    context: get('context'),
    macrocontext: fields.get('macrocontext') ?? null,
    exten: get('exten'),
    rdnis: get('rdnis'),
    priority: get('priority'),
    callerchan: get('callerchan'),
    callerid: get('callerid'),
    origdate: get('origdate'),
    origtime,
    category: get('category'),
    msgId: msgId === '' ? null : msgId,
    flag: get('flag'),
    duration,
    extra,
  };
}

function parseCount(text: string, field: string, source: string): number {
  // Asterisk writes %d / %ld; accept a sign-less decimal only.
  if (!/^\d{1,15}$/.test(text)) {
    throw new MessageMetadataError(
      'corrupt',
      source,
      null,
      `${field} '${text.slice(0, 40)}' is not a whole number`,
    );
  }
  return Number(text);
}

/** Values go back through Asterisk's reader: escape what it would take for a comment. */
function escapeValue(value: string): string {
  const flat = value.replace(/[\r\n]+/g, ' ').replace(/;/g, '\\;');
  // `k=>v` is Asterisk's object form, so a value that starts with '>' needs one more.
  return flat.startsWith('>') ? `>${flat}` : flat;
}

/** Writes the file as leave_voicemail does: header comments, typed fields in its order, duration last. */
export function serializeMessageMetadata(m: MessageMetadata): string {
  const rows: Array<[string, string]> = [
    ['origmailbox', m.origmailbox],
    ['context', m.context],
    ...(m.macrocontext === null ? [] : [['macrocontext', m.macrocontext] as [string, string]]),
    ['exten', m.exten],
    ['rdnis', m.rdnis],
    ['priority', m.priority],
    ['callerchan', m.callerchan],
    ['callerid', m.callerid],
    ['origdate', m.origdate],
    ['origtime', String(m.origtime)],
    ['category', m.category],
    ...(m.msgId === null ? [] : [['msg_id', m.msgId] as [string, string]]),
    ['flag', m.flag],
    ...m.extra.filter(([k]) => !TYPED.has(k)),
    ['duration', String(m.duration)],
  ];
  const body = rows.map(([k, v]) => `${k}=${escapeValue(v)}\n`).join('');
  return `;\n; Message Information file\n;\n[message]\n${body}`;
}
