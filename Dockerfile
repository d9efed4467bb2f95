# One image for any of the five services:
#   docker build -t vmsync .
#   docker run -e SERVICE=rules|voicemail-watcher|voicemail-actuator|email-watcher|mail-actuator ... vmsync
# Not built on the development machines (no Docker engine there); the install line below
# is run by tools/deploy-check's image-layout test, which starts each service from the result.

# --- build: production dependencies of the services (and tsx, which runs the TypeScript)
FROM node:20-bookworm-slim AS build
WORKDIR /app
RUN npm install -g pnpm@12.4.2
COPY package.json pnpm-lock.yaml pnpm-workspace.yaml ./
COPY libs ./libs
COPY services ./services
COPY tools/cli ./tools/cli
# No other tools, no devDependencies: the five services, the operator CLI and admin page
# (docs/cli.md), the libs they use, and the root's tsx.
RUN pnpm install --frozen-lockfile --prod --filter "{./services/*}..." --filter "./tools/cli..." --filter vmsync
# pnpm leaves empty node_modules for the tools it did not install; tests are not shipped.
RUN find tools -mindepth 1 -maxdepth 1 ! -name cli -exec rm -rf {} + && find libs services tools -name "*.test.ts" -delete

# --- run: the same Node, no pnpm, no compilers, not root
FROM node:20-bookworm-slim
# jemalloc under Node: an email-watcher with 1000 mailboxes held 173 MiB instead of 200
# with glibc's malloc (docs/scaling.md, "Memory").
RUN apt-get update && apt-get install -y --no-install-recommends libjemalloc2 \
    && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production \
    LD_PRELOAD=libjemalloc.so.2 \
    VMSYNC_HTTP_HOST=0.0.0.0 \
    VMSYNC_HTTP_PORT=9464
WORKDIR /app
# Owned by root, run as `node` (uid 1000): the service cannot change its own code.
COPY --from=build /app /app
USER node
EXPOSE 9464
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s \
  CMD ["node", "-e", "fetch('http://127.0.0.1:9464/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# TypeScript runs through tsx's loader: no build step, the same code as tested. `exec`: node
# replaces the shell as PID 1 and gets SIGTERM itself (graceful shutdown).
ENTRYPOINT ["sh", "-c", "exec node --import tsx services/${SERVICE:?set SERVICE to one of the five services}/src/main.ts"]
