import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';

/** The repository's root: deployment files are read from where the operator finds them. */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../../..');

export function readRepoFile(path: string): string {
  return readFileSync(join(ROOT, path), 'utf8');
}

/**
 * Every YAML document of a file, as plain data (anchors and merge keys resolved); a
 * syntax error anywhere throws, naming the file.
 */
export function readYamlDocuments(path: string): unknown[] {
  const docs = parseAllDocuments(readRepoFile(path), { merge: true });
  return docs
    .map((doc) => {
      if (doc.errors.length > 0) {
        throw new Error(`${path}: ${doc.errors.map((e) => e.message).join('; ')}`);
      }
      return doc.toJS({ maxAliasCount: -1 }) as unknown;
    })
    .filter((doc) => doc !== null && doc !== undefined);
}
