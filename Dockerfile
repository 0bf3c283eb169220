# The service image for compose.yaml. Kafka, the registry and PostgreSQL come from their
# official images there, so this image needs neither Java nor Maven.
FROM node:24-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
RUN npm ci --omit=optional --no-audit --no-fund
COPY . .
ENV NODE_ENV=production
CMD ["npx", "tsx", "bin/start.ts"]
