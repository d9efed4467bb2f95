import { existsSync } from 'node:fs';

/** Where Debian's libjemalloc2 puts the library, per architecture. */
const JEMALLOC = ['x86_64-linux-gnu', 'aarch64-linux-gnu'].map(
  (triplet) => `/usr/lib/${triplet}/libjemalloc.so.2`,
);

/**
 * The malloc a service process runs with: jemalloc, as the image runs every service
 * (Dockerfile: libjemalloc2, LD_PRELOAD), preloaded here when Debian's libjemalloc2 is
 * installed (scripts/bootstrap.sh installs it). With glibc's malloc an idle TLS connection
 * kept ~28 KiB more (OpenSSL's freed handshake and record buffers stay in the heap's free
 * lists): `./vmsync bench connection-memory` and docs/scaling.md. `VMSYNC_MALLOC=glibc`
 * runs without it, to compare; a process already given an LD_PRELOAD keeps its own.
 */
export function allocatorEnv(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  if (env.VMSYNC_MALLOC === 'glibc' || env.LD_PRELOAD) return {};
  const lib = JEMALLOC.find((path) => existsSync(path));
  return lib === undefined ? {} : { LD_PRELOAD: lib };
}
