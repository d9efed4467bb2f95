import { existsSync } from 'node:fs';

/** Where Debian's libjemalloc2 puts the library, per architecture. */
const JEMALLOC = ['x86_64-linux-gnu', 'aarch64-linux-gnu'].map(
  (triplet) => `/usr/lib/${triplet}/libjemalloc.so.2`,
);

/**
 * The malloc a service process runs with: jemalloc, as the image runs every service
 * (Dockerfile: libjemalloc2, LD_PRELOAD), preloaded here when Debian's libjemalloc2 is
 * installed (scripts/bootstrap.sh installs it). Measured here: vmsync's idle IMAP
 * connection 14 KiB of anonymous RSS instead of 42 (`./vmsync bench connection-memory`),
 * an email-watcher with 1000 mailboxes 173 MiB instead of 200 (docs/scaling.md, "Memory").
 * `VMSYNC_MALLOC=glibc` runs without it, to compare; a process already given an LD_PRELOAD
 * keeps its own.
 */
export function allocatorEnv(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  if (env.VMSYNC_MALLOC === 'glibc' || env.LD_PRELOAD) return {};
  const lib = JEMALLOC.find((path) => existsSync(path));
  return lib === undefined ? {} : { LD_PRELOAD: lib };
}
