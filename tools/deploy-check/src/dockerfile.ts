import { readRepoFile } from './repo.js';

export interface BuildStage {
  /** Sources the build stage copies from the context (`COPY <src...> <dest>`). */
  copied: string[];
  /** The build stage's RUN commands, in order. */
  runs: string[];
}

/** The first stage of the Dockerfile, read so the image-layout test runs what it runs. */
export function buildStage(dockerfile = readRepoFile('Dockerfile')): BuildStage {
  const lines = dockerfile.split('\n');
  const start = lines.findIndex((l) => /^FROM\s/.test(l));
  const end = lines.findIndex((l, i) => i > start && /^FROM\s/.test(l));
  const stage = lines.slice(start + 1, end === -1 ? undefined : end);
  const copied: string[] = [];
  const runs: string[] = [];
  for (const line of stage) {
    const copy = /^COPY\s+(?!--from)(.+)$/.exec(line);
    if (copy?.[1]) copied.push(...copy[1].trim().split(/\s+/).slice(0, -1));
    const run = /^RUN\s+(.+)$/.exec(line);
    if (run?.[1]) runs.push(run[1].trim());
  }
  return { copied, runs };
}
