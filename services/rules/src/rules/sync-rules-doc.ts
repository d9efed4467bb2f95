import { pathToFileURL } from 'node:url';
import type { PairKind } from '@vmsync/events';
import type { Decision } from './decision.js';
import {
  type ChangeRule,
  type Condition,
  changeRules,
  emailChangeDefinitions,
  type StartupOutcome,
  startupColumns,
  startupOutcomes,
  startupTable,
  voicemailChangeDefinitions,
} from './expected.js';
import { decisions, explanation, leftToStartUp, partsMustDo } from './sync-rules-prose.js';

/*
 * Renders the expected-outcome tables (expected.ts) as docs/sync-rules.md. A test checks
 * that the file equals this rendering:
 *   npx tsx services/rules/src/rules/sync-rules-doc.ts > docs/sync-rules.md
 */

type CommandKey = {
  [S in Decision['side']]: `${S}:${Extract<Decision, { side: S }>['action']}`;
}[Decision['side']];

const commandWords: Record<CommandKey, string> = {
  'email:ensure-trash': 'move email to Trash',
  'email:ensure-inbox': 'move email out of Trash to the Inbox',
  'email:ensure-read': 'mark email read',
  'email:ensure-unread': 'mark email unread',
  'voicemail:ensure-deleted': 'move voicemail to deleted',
  'voicemail:ensure-saved': 'move voicemail out of deleted to saved',
  'voicemail:ensure-heard': 'mark voicemail heard',
  'voicemail:ensure-unheard': 'mark voicemail unheard',
};

const words = (actions: readonly Decision[]) =>
  actions.length === 0
    ? 'none'
    : actions.map((d) => commandWords[`${d.side}:${d.action}` as CommandKey]).join('; ');

/** A Markdown table, aligned as the repository's formatter (biome) leaves it. */
function table(head: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    `| ${widths.map((w, i) => (cells[i] ?? '').padEnd(w)).join(' | ')} |`;
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

function startup(kind: PairKind): string {
  const outcomes: Record<string, StartupOutcome> = startupOutcomes[kind];
  const cell = (code: string) => (outcomes[code]?.actions.length ? code : '—');
  const matrix: Record<string, readonly string[]> = startupTable[kind];
  const rows = Object.entries(matrix).map(([voicemail, cells]) => [
    `**${voicemail}**`,
    ...cells.map(cell),
  ]);
  const legend = Object.entries(outcomes).map(([code, o]) => [code, words(o.actions), o.source]);
  return [
    `### ${kind} pairs\n`,
    table(['voicemail \\ email', ...startupColumns], rows),
    '',
    table(['outcome', 'commands', 'from'], legend),
  ].join('\n');
}

function condition(c: Condition): string {
  const [side, group] = 'voicemail' in c ? ['voicemail', c.voicemail] : ['email', c.email];
  return `the ${side} is ${c.not ? 'not ' : ''}${group}`;
}

function ruleRow(rule: ChangeRule): string[] {
  const when = rule.when?.map(condition).join(' and ');
  return [
    `${rule.side} ${rule.change}`,
    when ? `if ${when}` : 'always',
    words(rule.actions),
    rule.source,
  ];
}

function changes(): string {
  const rows = [
    ...Object.entries(voicemailChangeDefinitions).map(([name, d]) => [
      `voicemail ${name}`,
      d.words,
    ]),
    ...Object.entries(emailChangeDefinitions).map(([name, d]) => [`email ${name}`, d.words]),
  ];
  return table(['change', 'what the watcher saw'], rows);
}

function rules(kind: PairKind): string {
  const rows = changeRules.filter((r) => r.kinds.includes(kind)).map(ruleRow);
  return [`### ${kind} pairs\n`, table(['change', 'condition', 'commands', 'from'], rows)].join(
    '\n',
  );
}

const numbered = (items: readonly string[]) =>
  items.map((item, i) => `${i + 1}. ${item}`).join('\n');

export function renderSyncRules(): string {
  return `${[
    '<!-- Generated from services/rules/src/rules/expected.ts; do not edit by hand. -->',
    '<!-- npx tsx services/rules/src/rules/sync-rules-doc.ts > docs/sync-rules.md -->',
    '',
    '# Sync rules',
    '',
    explanation,
    '',
    '## 1. Start-up and first link (DESIGN.md §3.1)',
    '',
    'One cell per voicemail state (down) and email state (across); a dash means no command.',
    '',
    startup('wav'),
    '',
    startup('text'),
    '',
    '## 2. Normal operation (DESIGN.md §3.2)',
    '',
    'An observed transition is split into the changes below; each change is decided and the',
    'commands are sent once each, deletion before read state. A change no rule names does',
    'nothing. Conditions look at the changed side as it is now and at the other side as the',
    'pair store last saw it.',
    '',
    changes(),
    '',
    rules('wav'),
    '',
    rules('text'),
    '',
    '## 3. Decisions where DESIGN.md is silent',
    '',
    numbered(decisions),
    '',
    '## 4. What the other parts must do for the pair to converge',
    '',
    partsMustDo,
    '',
    '## 5. What is left to the next start-up',
    '',
    leftToStartUp,
  ].join('\n')}\n`;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.stdout.write(renderSyncRules());
}
