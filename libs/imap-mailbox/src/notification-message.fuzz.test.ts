/**
 * Fuzz (fast-check, bounded runs) of the header and MIME structure reading the
 * email-watcher does on whatever lands in a mailbox: nothing throws, nothing hangs, huge
 * or deep input costs bounded time.
 */
import fc from 'fast-check';
import type { MessageStructureObject } from 'imapflow';
import { describe, expect, it } from 'vitest';
import { findAttachment, parseHeaderFields } from './notification-message.js';

const headerText = fc.array(
  fc.oneof(
    fc.string({ maxLength: 200 }),
    fc
      .tuple(
        fc.constantFrom(
          'X-Vmsync-Ref',
          'x-asterisk-callerid',
          'X-Asterisk-CallerIDName',
          'Subject',
        ),
        fc.string({ maxLength: 100 }),
      )
      .map(([k, v]) => `${k}: ${v}`),
    fc.constantFrom('\r\n ', '\t', ':', '::', '\n\n', '\u0000', '\uffff'),
  ),
  { maxLength: 60 },
);

const structure: fc.Arbitrary<MessageStructureObject> = fc.letrec((tie) => ({
  node: fc.record(
    {
      part: fc.string({ maxLength: 5 }),
      type: fc.constantFrom('multipart/mixed', 'audio/x-wav', 'text/plain', 'application/x', ''),
      size: fc.option(fc.nat(), { nil: undefined }),
      encoding: fc.option(fc.constantFrom('base64', 'BASE64', '7bit', 'x-weird'), {
        nil: undefined,
      }),
      disposition: fc.option(fc.constantFrom('attachment', 'inline', 'ATTACHMENT'), {
        nil: undefined,
      }),
      childNodes: fc.option(fc.array(tie('node'), { maxLength: 4 }), { nil: undefined }),
    },
    { requiredKeys: ['type'] },
  ) as fc.Arbitrary<MessageStructureObject>,
})).node;

describe('parseHeaderFields under fuzz', () => {
  it('never throws and keeps only the headers vmsync reads, lower-cased', () => {
    fc.assert(
      fc.property(headerText, (lines) => {
        const out = parseHeaderFields(lines.join('\r\n'));
        for (const name of Object.keys(out)) expect(name).toBe(name.toLowerCase());
        for (const name of Object.keys(out))
          expect(name).toMatch(/^(x-vmsync-ref|x-asterisk-|message-id)/);
      }),
      { numRuns: 2000 },
    );
  });

  it('reads 5 MiB of headers (20,000 lines, one line of 4 MiB) in bounded time', () => {
    const many = Array.from({ length: 20_000 }, (_, i) => `X-Asterisk-CallerID: ${i}`).join('\r\n');
    const t = performance.now();
    const out = parseHeaderFields(`${many}\r\nX-Junk: ${'a'.repeat(4 << 20)}\r\n`);
    expect(performance.now() - t).toBeLessThan(2000);
    expect(out['x-asterisk-callerid']).toBe('0'); // the first one counts
  });
});

describe('findAttachment under fuzz', () => {
  it('never throws on any structure, and names a leaf part when it finds one', () => {
    fc.assert(
      fc.property(structure, (s) => {
        const a = findAttachment(s);
        if (a !== null) expect(a.type.startsWith('multipart/')).toBe(false);
      }),
      { numRuns: 2000 },
    );
  });

  it('survives a structure nested 5,000 deep', () => {
    let node: MessageStructureObject = {
      part: '1',
      type: 'audio/x-wav',
      size: 10,
    } as MessageStructureObject;
    for (let i = 0; i < 5000; i++)
      node = { part: '', type: 'multipart/mixed', childNodes: [node] } as MessageStructureObject;
    expect(findAttachment(node)).toMatchObject({ type: 'audio/x-wav', size: 10 });
  });
});
