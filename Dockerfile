# syntax=docker/dockerfile:1
# Berth's container image: the standalone Next.js server (output: "standalone"), run as a non-root
# user. Build: `docker build -t berth .`; run: see docs/deploy.md. No Docker engine runs in this
# repository's CI: a Vitest test (lib/build/dockerfile.test.ts) checks this file's facts instead.
ARG NODE_IMAGE=node:20-bookworm-slim

# 1. deps: the dependencies, as CI installs them (npm install, not npm ci: the lockfile is resolved
#    on one platform, and npm install also fetches the optional native builds of this one).
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm install --no-audit --no-fund

# 2. build: `npm run build` = next build + assembling the standalone folder (static and public in,
#    migrations and PGlite's WASM build traced in, checked).
FROM ${NODE_IMAGE} AS build
WORKDIR /app
ENV NEXT_TELEMETRY_DISABLED=1
COPY --from=deps /app/node_modules ./node_modules
COPY . .
RUN npm run build

# 3. runtime: only the standalone server, its static assets and public/. The files belong to root
#    and are read-only to the app user; it writes to /data (the embedded database) and /tmp only.
FROM ${NODE_IMAGE} AS runtime
WORKDIR /app
ENV NODE_ENV=production \
    NEXT_TELEMETRY_DISABLED=1 \
    NEXT_MANUAL_SIG_HANDLE=true \
    PORT=3000 \
    HOSTNAME=0.0.0.0 \
    BERTH_DATA_DIR=/data
RUN groupadd --system --gid 10001 berth \
 && useradd --system --uid 10001 --gid 10001 --home-dir /data --no-create-home --shell /usr/sbin/nologin berth \
 && mkdir -p /data \
 && chown 10001:10001 /data \
 && chmod 700 /data
COPY --from=build /app/.next/standalone ./
COPY --from=build /app/.next/static ./.next/static
COPY --from=build /app/public ./public
# The embedded default (PGlite, generated key and auth secret) lives here; with DATABASE_URL set
# it holds nothing that matters.
VOLUME ["/data"]
USER 10001:10001
EXPOSE 3000
# Readiness, with Node itself (slim images have no curl): 200 once migrated and the database
# answers, 503 while draining on SIGTERM or when the database is down.
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/api/ready').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# Berth drains on SIGTERM (readiness 503 for BERTH_DRAIN_MS, then in-flight work up to
# BERTH_SHUTDOWN_TIMEOUT_MS) and exits 0; `docker stop -t 35` leaves it the time.
STOPSIGNAL SIGTERM
CMD ["node", "server.js"]
