# syntax=docker/dockerfile:1
# Multi-stage: build a release binary, run it as a non-root user on a slim image.
#
# Base images: pin them by digest for a reproducible, reviewable build. The tags below are
# the defaults; `scripts/pin-images` (run where Docker is available) resolves their current
# digests and prints the `--build-arg` flags, e.g.
#   docker build --build-arg BUILD_IMAGE=rust:1.95-bookworm@sha256:<digest> \
#                --build-arg RUNTIME_IMAGE=debian:bookworm-slim@sha256:<digest> .
ARG BUILD_IMAGE=rust:1.95-bookworm
ARG RUNTIME_IMAGE=debian:bookworm-slim

FROM ${BUILD_IMAGE} AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpq-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# Dependencies first, so code changes do not rebuild them.
COPY Cargo.toml Cargo.lock ./
RUN mkdir -p src tests/api benches \
 && echo 'fn main() {}' > src/main.rs && touch src/lib.rs tests/api/main.rs \
 && echo 'fn main() {}' > benches/engine.rs \
 && cargo build --release --locked --bin mission-procurement \
 && rm -rf src tests benches
COPY src ./src
COPY migrations ./migrations
COPY tests ./tests
COPY benches ./benches
RUN touch src/main.rs src/lib.rs \
 && cargo build --release --locked --bin mission-procurement

FROM ${RUNTIME_IMAGE}
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpq5 ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --create-home --home-dir /var/lib/mission-procurement app \
 && mkdir -p /var/lib/mission-procurement/data \
 && chown -R app:app /var/lib/mission-procurement
COPY --from=build /src/target/release/mission-procurement /usr/local/bin/mission-procurement
USER app
WORKDIR /var/lib/mission-procurement
# Listening on every interface, the service refuses the built-in development JWT secret: set
# JWT_SECRET (32+ bytes) or JWT_PUBLIC_KEY_FILE. The SQLite database (when DATABASE_URL is not
# PostgreSQL) lives in the data volume; mount it to keep it.
ENV BIND=0.0.0.0:8080 \
    DATABASE_URL=sqlite:///var/lib/mission-procurement/data/mission-procurement.db \
    LOG_FORMAT=json
EXPOSE 8080
VOLUME ["/var/lib/mission-procurement/data"]
# The binary checks itself: no HTTP client in the image.
HEALTHCHECK --interval=30s --timeout=5s --start-period=15s --retries=3 \
  CMD ["mission-procurement", "healthcheck"]
STOPSIGNAL SIGTERM
ENTRYPOINT ["mission-procurement"]
CMD ["serve"]
