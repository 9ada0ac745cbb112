# Builds and runs taskgate the same way `npm start` does: compile TypeScript (and copy the
# playground's and the task board's assets out of node_modules into dist/playground and dist/board), then run dist/ with node.
FROM node:20-slim AS build
WORKDIR /app
# python3, make and g++: what better-sqlite3 needs to compile when its prebuilt binary cannot be fetched.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ormconfig.ts ./
COPY scripts ./scripts
COPY src ./src
RUN npm run build && npm prune --omit=dev

FROM node:20-slim
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY bin ./bin
# The default database (DATABASE_URL=sqlite:./data/taskgate.db) lives in /app/data: the node user
# must be able to create it (/app itself belongs to root). Mount a volume there to keep it.
RUN mkdir -p /app/data && chown node:node /app/data
VOLUME ["/app/data"]
EXPOSE 4000
USER node
# SIGTERM (docker stop) drains in-flight requests and exits 0; see TASKGATE_SHUTDOWN_TIMEOUT_MS.
STOPSIGNAL SIGTERM
# /readyz: 200 while the instance can serve (a Redis outage only degrades it), 503 without its database.
HEALTHCHECK --interval=10s --timeout=3s --retries=10 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:4000/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "bin/taskgate.js", "serve"]
