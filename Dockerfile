# syntax=docker/dockerfile:1
# Thunder: build with dev dependencies, run with production dependencies only, as a non-root user.
ARG NODE_IMAGE=node:20-bookworm-slim

# 1. Compile TypeScript. Scripts stay off: `prepare` would run tsc before the sources are copied.
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts ./scripts
COPY src ./src
RUN npm run build

# 2. Production dependencies. --ignore-scripts keeps `prepare` (tsc, a dev tool) from running;
#    sqlite3's native binding is then fetched or compiled on its own (hence the build tools here).
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ ca-certificates \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && npm rebuild sqlite3 \
 && npm cache clean --force

# 3. Runtime: no compiler, no dev dependencies, no source maps' sources.
FROM ${NODE_IMAGE}
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    OPS_PORT=9090 \
    DATA_DIR=/data
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY bin ./bin
COPY knowledge ./knowledge
COPY locales ./locales
COPY web ./web
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
# 9090 serves /metrics and /readyz for the monitoring network only: do not publish it.
EXPOSE 3000 9090
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
STOPSIGNAL SIGTERM
# node directly, not `npm start`: npm would rebuild and would not pass SIGTERM on cleanly.
CMD ["node", "dist/main.js"]
