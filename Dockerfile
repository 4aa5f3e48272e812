# Build stage: Debian's packages only, the release preset (Ninja, one unit per stage).
FROM debian:bookworm AS build
RUN apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      cmake ninja-build g++ pkg-config libcpp-httplib-dev nlohmann-json3-dev \
      libboost-program-options-dev libboost-dev catch2 libssl-dev ca-certificates \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN cmake --preset release \
    && cmake --build --preset release -j"$(nproc)" --target callhook \
    && strip build/release/callhook

# Runtime stage: the binary, its shared libraries and the example scenarios.
# By default it serves the control API (docs/api.md) on port 8700, for test
# suites beside it (examples/compose); bound beyond loopback, it refuses to
# start without a token: docker run -e CALLHOOK_TOKEN=... callhook
# Any other command runs instead: docker run callhook run /scenarios/demo.json
FROM debian:bookworm-slim
RUN apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      libcpp-httplib0.11 libboost-program-options1.74.0 libssl3 ca-certificates \
    && rm -rf /var/lib/apt/lists/*
COPY --from=build /src/build/release/callhook /usr/local/bin/callhook
COPY scenarios /scenarios
# Runs as an unprivileged user (uid 10001), in a working directory it owns
# (reports a run writes go there; the API's journals go to /tmp).
RUN useradd --system --uid 10001 --user-group --home-dir /work --create-home --shell /usr/sbin/nologin callhook
USER 10001:10001
WORKDIR /work
EXPOSE 8700
# No curl in the slim image: callhook asks its own /healthz (which needs no token).
HEALTHCHECK --interval=10s --timeout=5s --start-period=5s --retries=3 \
  CMD ["callhook", "serve", "--check", "http://127.0.0.1:8700/healthz"]
ENTRYPOINT ["callhook"]
CMD ["serve", "--listen", "0.0.0.0:8700"]
