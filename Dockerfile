# Static sentry-companion on a minimal image. Use it for CI jobs (mount the checkout at /repo) or as
# an MCP server (docker run -i ... mcp).
FROM rust:1.95-alpine3.22 AS build
RUN apk add --no-cache musl-dev
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
COPY src ./src
COPY tests ./tests
RUN cargo build --release --locked \
 && cp target/release/sentry-companion /usr/local/bin/sentry-companion

FROM alpine:3.22
# git is only for `release create --deepen` (git fetch); the history itself is read with libgit2.
# The checkout is mounted from the host and owned by another user, hence the safe.directory entry.
RUN apk add --no-cache ca-certificates git \
 && git config --system --add safe.directory '*' \
 && addgroup -g 10001 companion \
 && adduser -D -u 10001 -G companion companion
COPY --from=build /usr/local/bin/sentry-companion /usr/local/bin/sentry-companion
USER 10001:10001
WORKDIR /repo
ENTRYPOINT ["sentry-companion"]
CMD ["--help"]
