# syntax=docker/dockerfile:1
# Multi-stage: the build stage installs every dependency (no compiler: the embedded store is Node's node:sqlite and
# the only native module, @napi-rs/canvas, ships prebuilt in its npm package), compiles the TypeScript sources to
# dist/ with tsc and prunes what the runtime never loads; the runtime stage carries only Node, tini, the production
# node_modules, dist/, bin/, prompts/ and config/ (no TypeScript sources, so bin/arxiv-digest.js runs dist/ and never
# needs tsx), and runs as the unprivileged `node` user. See docs/operating.md ("The image").
#
# The base is the current Node LTS on Debian slim, pinned by digest so a rebuild takes the same bytes; the tag is
# kept for the reader. Refresh both together: `docker buildx imagetools inspect node:26-slim`.
ARG NODE_IMAGE=node:26-slim@sha256:715e55e4b84e4bb0ff48e49b398a848f08e55daed8eb6a0ea1839ae53bc57583

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
# `prepare` runs scripts/build.js, which finds no sources yet and skips: this layer is reused until the lock changes.
COPY bin ./bin
COPY scripts/build.js ./scripts/build.js
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY adapters ./adapters
# Then the dev dependencies go, and what no production code path loads: pdf-parse bundles its own pdf.js (its
# pdfjs-dist dependency, 37 MB, is never required by the CommonJS build we load), its browser/ESM builds, and the
# source maps and type declarations of every package.
RUN npm run build \
 && npm prune --omit=dev --no-audit --no-fund \
 && rm -rf node_modules/pdfjs-dist node_modules/pdf-parse/dist/pdf-parse/esm node_modules/pdf-parse/dist/pdf-parse/web \
      node_modules/pdf-parse/dist/worker \
 && find node_modules -type f \( -name '*.map' -o -name '*.d.ts' -o -name '*.d.cts' -o -name '*.d.mts' \) -delete

FROM ${NODE_IMAGE} AS runtime
# tini as PID 1: it forwards SIGTERM to node and reaps children, so `docker stop` is answered at once (node as
# PID 1 ignores signals it has no handler for, and a hang would wait out the grace period).
RUN apt-get update && apt-get install -y --no-install-recommends tini && rm -rf /var/lib/apt/lists/*
# /data is the one writable directory: the store's default and every path hint point there.
ENV NODE_ENV=production \
    PORT=3000 \
    ARXIV_DIGEST_DATA_DIR=/data \
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
ENTRYPOINT ["/usr/bin/tini", "--", "node", "bin/arxiv-digest.js"]
CMD ["start"]
