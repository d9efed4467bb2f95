import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { renderSyncRules } from './sync-rules-doc.js';

describe('docs/sync-rules.md', () => {
  it('is the rendering of the expected-outcome tables', async () => {
    const doc = await readFile(
      new URL('../../../../docs/sync-rules.md', import.meta.url),
      'utf8',
    ).catch(() => '(missing)');
    expect(
      doc,
      'docs/sync-rules.md is stale: run `npx tsx services/rules/src/rules/sync-rules-doc.ts > docs/sync-rules.md`',
    ).toBe(renderSyncRules());
  });
});
