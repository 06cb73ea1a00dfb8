# syntax=docker/dockerfile:1
# Multi-stage: the build stage installs every dependency (sqlite3 is compiled there, with the build tools), compiles
# the TypeScript sources to dist/ with tsc and prunes the dev dependencies (TypeScript, tsx, jest…); the runtime
# stage carries only Node, the production node_modules, dist/, bin/, prompts/ and config/ (no TypeScript sources,
# so bin/arxiv-digest.js runs dist/ and never needs tsx), and runs as the unprivileged `node` user.

FROM node:20-bookworm-slim AS build
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
# `prepare` runs scripts/build.js, which finds no sources yet and skips: this layer is reused until the lock changes.
COPY bin ./bin
COPY scripts/build.js ./scripts/build.js
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY adapters ./adapters
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production \
    PORT=3000 \
    STORE_URL=sqlite:///data/arxiv-digest.sqlite
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY bin ./bin
COPY prompts ./prompts
COPY config ./config
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
ENTRYPOINT ["node", "bin/arxiv-digest.js"]
CMD ["start"]
