# syntax=docker/dockerfile:1
# Multi-stage: build a release binary, run it as a non-root user on a slim image.

FROM rust:1.95-bookworm AS build
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

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpq5 ca-certificates curl \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --create-home --home-dir /var/lib/mission-procurement app \
 && mkdir -p /var/lib/mission-procurement/data \
 && chown -R app:app /var/lib/mission-procurement
COPY --from=build /src/target/release/mission-procurement /usr/local/bin/mission-procurement
USER app
WORKDIR /var/lib/mission-procurement
ENV BIND=0.0.0.0:8080 \
    DATABASE_URL=sqlite:///var/lib/mission-procurement/data/mission-procurement.db \
    LOG_FORMAT=json
EXPOSE 8080
VOLUME ["/var/lib/mission-procurement/data"]
HEALTHCHECK --interval=30s --timeout=3s --start-period=15s --retries=3 \
  CMD curl -fsS http://127.0.0.1:8080/ready >/dev/null || exit 1
STOPSIGNAL SIGTERM
ENTRYPOINT ["mission-procurement"]
CMD ["serve"]
