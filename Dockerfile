# syntax=docker/dockerfile:1

# One image for every AgentFleet process role; the command picks the role:
#   api (default), projector, workers --all, migrate, topics ensure, schemas register, ...
# Node 24 runs the .ts sources directly (type stripping), so there is no build step.

ARG NODE_IMAGE=node:24-slim

# --- production dependencies only (cached until package.json / package-lock.json change)
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
ENV npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev

# --- runtime
FROM ${NODE_IMAGE} AS runtime
WORKDIR /app
# In a container the API must listen on every interface, not on loopback (the app's default).
ENV NODE_ENV=production \
    AGENTFLEET_HTTP_HOST=0.0.0.0
# Owned by root and only readable by the app user: the code cannot be changed at runtime.
COPY --from=deps /app/node_modules ./node_modules
COPY package.json package-lock.json ./
COPY bin/ ./bin/
COPY src/ ./src/
COPY schemas/ ./schemas/
USER node
EXPOSE 8000
ENTRYPOINT ["node", "bin/agentfleet.js"]
CMD ["api"]
