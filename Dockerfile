# syntax=docker/dockerfile:1
# The kubesnap server image: `kubesnap install` runs it as `kubesnap server --namespace NS`.
#   docker build -t kubesnap/kubesnap:$(node -p 'require("./package.json").version') .

# Build: compile TypeScript with the dev dependencies, which stay in this stage.
FROM node:24-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
# --ignore-scripts: the "prepare" script would build before the sources are here, and the
# "node" dev dependency's install script would download a second Node.js.
RUN npm ci --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
# Only src is compiled: testenv, bench and demo are not part of the server.
RUN npx tsc -p tsconfig.build.json

# Run: production dependencies, the compiled code and the bin script; no compiler, no tests.
FROM node:24-slim
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force
COPY --from=build /src/dist/src ./dist/src
COPY bin ./bin
# `kubesnap` on PATH, as the ENTRYPOINT and `kubectl exec … kubesnap version` expect.
RUN chmod 0755 bin/kubesnap.js && ln -s /app/bin/kubesnap.js /usr/local/bin/kubesnap
# The image's unprivileged "node" user (uid 1000), which the Deployment's securityContext names;
# /app stays owned by root, so the server cannot change its own code.
USER 1000:1000
# /metrics, /healthz, /readyz
EXPOSE 8085
ENTRYPOINT ["kubesnap"]
CMD ["server"]
