import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { VmsyncError } from '@vmsync/errors';
import { type ConfSource, parseVoicemailConf, type VoicemailConf } from './voicemail-conf.js';

/**
 * Reads voicemail.conf and whatever it `#include`s. Relative include names resolve
 * against the main file's directory, as Asterisk resolves them against its config dir.
 */
export async function loadVoicemailConf(confPath: string): Promise<VoicemailConf> {
  let text: string;
  try {
    text = await readFile(confPath, 'utf8');
  } catch (error) {
    throw new VmsyncError(
      'VOICEMAIL_CONF_UNREADABLE',
      `cannot read ${confPath}: ${(error as Error).message}`,
      {
        retriable: true,
        cause: error,
      },
    );
  }
  const baseDir = path.dirname(confPath);
  return parseVoicemailConf(text, {
    file: confPath,
    // Includes are rare and small, and the parser is synchronous.
    readInclude: (name): ConfSource | null => {
      const file = path.resolve(baseDir, name);
      try {
        return { file, text: readFileSync(file, 'utf8') };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw new VmsyncError(
          'VOICEMAIL_CONF_UNREADABLE',
          `cannot read ${file}: ${(error as Error).message}`,
          {
            retriable: true,
            cause: error,
          },
        );
      }
    },
  });
}
