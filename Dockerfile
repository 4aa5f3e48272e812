# Build stage: Debian's packages only, release preset.
FROM debian:bookworm AS build
RUN apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      cmake g++ make pkg-config libcpp-httplib-dev nlohmann-json3-dev \
      libboost-program-options-dev libboost-dev catch2 libssl-dev ca-certificates \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DCALLHOOK_TESTS=OFF -DCALLHOOK_BENCH=OFF \
    && cmake --build build -j"$(nproc)" --target callhook \
    && strip build/callhook

# Runtime stage: the binary, its shared libraries and the example scenarios.
FROM debian:bookworm-slim
RUN apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      libcpp-httplib0.11 libboost-program-options1.74.0 libssl3 ca-certificates \
    && rm -rf /var/lib/apt/lists/*
COPY --from=build /src/build/callhook /usr/local/bin/callhook
COPY scenarios /scenarios
WORKDIR /
ENTRYPOINT ["callhook"]
CMD ["run", "/scenarios/demo.json"]
