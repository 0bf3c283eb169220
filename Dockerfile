# The service image for compose.yaml. Kafka, the registry and PostgreSQL come from their official
# images there, so this image needs neither Java nor Maven. Two stages: the TypeScript is compiled
# to JavaScript (npm run build: dist/, with the migrations, Avro schemas and samples beside it),
# then run by Node.js 24 with production dependencies only, as the unprivileged `node` user.
ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json .npmrc ./
# --ignore-scripts: the `node` dev dependency would fetch a second Node.js; the image's is the same release line.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY . .
RUN npm run build

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /src/dist ./dist
# LOCAL_STACK_DIR: the development issuer's key; a volume in compose.yaml keeps it.
RUN mkdir -p /var/lib/cel && chown node:node /var/lib/cel
ENV LISTEN_HOST=0.0.0.0 \
    PORT=8080 \
    MLLP_PORT=2575 \
    LOCAL_STACK_DIR=/var/lib/cel
USER node
EXPOSE 8080 2575
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=12 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 8080) + '/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# The other entry points run the same way, e.g. `docker compose exec clinical-event-log node dist/tools/tokenCli.js --role gp`.
ENTRYPOINT ["node", "--enable-source-maps", "dist/bin/start.js"]
