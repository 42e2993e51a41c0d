# syntax=docker/dockerfile:1
# The lakegraph image: one binary, every command (`docker run IMAGE ingest --topic T …`).
# docs/DEPLOY.md says how to run a fleet from it; test/integration/image.test.ts stages what
# the COPY lines name and runs the result, so a file the runtime needs cannot go missing.

FROM node:22-slim AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json ./
# --ignore-scripts: `prepare` would compile before the sources are here.
RUN npm ci --ignore-scripts
COPY src ./src
RUN npx tsc -p tsconfig.json

FROM node:22-slim
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: `prepare` compiles, which needs the devDependencies; the build stage did it.
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force
COPY --from=build /app/dist/src ./dist/src
COPY sql ./sql
# Commands write relative paths (a demo's warehouse) under a directory the non-root user owns.
RUN mkdir /data && chown node:node /data
# The image's `node` user, by number so that Kubernetes' runAsNonRoot can verify it.
USER 1000:1000
WORKDIR /data
ENTRYPOINT ["node", "/app/dist/src/cli/main.js"]
CMD ["--help"]
