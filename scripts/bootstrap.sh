#!/usr/bin/env bash
# Installs what vmsync needs on a fresh machine of this kind, and nothing that is already
# there: Debian packages (Dovecot, Redis, Java, Maven, OpenSSL), pnpm at the pinned
# version, and the workspace's dependencies from the lockfile.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PNPM_VERSION=$(node -p "require('$ROOT/package.json').packageManager.split('@')[1]")

missing=()
command -v dovecot >/dev/null 2>&1 || missing+=(dovecot-imapd)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
command -v redis-cli >/dev/null 2>&1 || missing+=(redis-tools)
command -v java >/dev/null 2>&1 || missing+=(openjdk-17-jre-headless)
command -v mvn >/dev/null 2>&1 || missing+=(maven)
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
# The fault tests skew a watcher's wall clock with libfaketime.
command -v faketime >/dev/null 2>&1 || missing+=(faketime)
# The services run with jemalloc, as in the image (tools/testkit/src/allocator.ts).
compgen -G "/usr/lib/*/libjemalloc.so.2" >/dev/null || missing+=(libjemalloc2)
# The admin page's browser test drives Debian's Chromium (playwright-core, no browser download).
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
# The benchmarks count idle IMAP bytes with tcpdump (./vmsync bench sets this).
if [ -n "${VMSYNC_BOOTSTRAP_BENCH:-}" ]; then
  command -v tcpdump >/dev/null 2>&1 || missing+=(tcpdump)
fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "bootstrap: installing Debian packages: ${missing[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  # Debian's package scripts try to start the daemons; vmsync starts its own.
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if [ "$(pnpm --version 2>/dev/null || true)" != "$PNPM_VERSION" ]; then
  echo "bootstrap: installing pnpm $PNPM_VERSION"
  npm install -g --silent "pnpm@$PNPM_VERSION" >/dev/null
fi

cd "$ROOT"
pnpm install --frozen-lockfile --reporter=silent
