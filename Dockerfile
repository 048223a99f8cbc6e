# dachportal gateway image. Build: docker build -t dachportal .
# Multi-stage: compile with dev dependencies, ship only runtime ones.
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY scripts ./scripts
# a devDependency installed from this folder (the tests' TypeScript loader); npm ci links it
COPY tools ./tools
# the build records every route's serializer and validator by building the app once with the bundled region
COPY config ./config
COPY members ./members
# prepare (tsc, then scripts/after-build.mjs: generated validators and route compilers, templates and assets, the bundled main.js into dist/) runs as part of npm ci
RUN npm ci --no-audit --no-fund

FROM node:24-bookworm-slim AS runtime
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3000 DATA_DIR=/data
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
# dist/ holds the templates and assets too: the compiled app never reads src/
COPY --from=build /app/dist ./dist
COPY config ./config
COPY members ./members
RUN mkdir -p /data && chown node:node /data
USER node
EXPOSE 3000
# liveness only; readiness (/ready) is for the load balancer
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# node as PID 1 handles SIGTERM itself (graceful drain in src/main.ts)
CMD ["node", "dist/main.js"]
