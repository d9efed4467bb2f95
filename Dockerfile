# One image for any of the five services: docker build -t vmsync . ; run with
# SERVICE=rules|voicemail-watcher|voicemail-actuator|email-watcher|mail-actuator.
# Not built on the development machines (no Docker engine there); see docs/deploy.md.
FROM node:20-bookworm-slim AS deps
WORKDIR /app
RUN npm install -g pnpm@12.4.2
COPY pnpm-lock.yaml pnpm-workspace.yaml package.json ./
COPY libs ./libs
COPY services ./services
COPY tools ./tools
RUN pnpm install --frozen-lockfile

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY --from=deps --chown=node:node /app /app
USER node
# TypeScript runs through tsx's loader: no build step, same code as tested.
ENTRYPOINT ["sh", "-c", "exec node --import tsx services/${SERVICE:?set SERVICE}/src/main.ts"]
