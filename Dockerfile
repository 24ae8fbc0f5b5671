# layerleak in a container: a static binary and CA roots, nothing else.
#
#   docker build -t layerleak .
#   docker run --rm -v "$PWD:/work" layerleak scan /work/image.tar
#   docker run --rm layerleak scan registry.example.com/team/app:1.4
#
# RUST_IMAGE is any Debian-based image with cargo/rustc 1.95+ and gcc on PATH; the default
# is the official one. CI, which cannot pull images, passes a builder it makes itself
# (tests/self-image/build.sh).
ARG RUST_IMAGE=docker.io/library/rust:1.95-bookworm

FROM ${RUST_IMAGE} AS build
# ISA-L (the gzip inflater) is built from source: nasm, autoconf, automake, libtool, make.
# The official image lacks nasm; CI's builder has them all.
RUN command -v nasm >/dev/null && command -v libtoolize >/dev/null && command -v automake >/dev/null \
 || (apt-get update && apt-get install -y --no-install-recommends nasm autoconf automake libtool make \
     && rm -rf /var/lib/apt/lists/*)
WORKDIR /src
COPY . .
# A statically linked glibc binary: the final stage has no libc. Build scripts and proc
# macros stay dynamic because --target is explicit.
ENV RUSTFLAGS="-C target-feature=+crt-static"
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    cargo build --release --locked -p layerleak --target x86_64-unknown-linux-gnu \
 && install -D -m 0755 target/x86_64-unknown-linux-gnu/release/layerleak /out/layerleak \
 && /out/layerleak --version

FROM scratch
COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY --from=build /out/layerleak /usr/local/bin/layerleak
USER 65532:65532
ENTRYPOINT ["/usr/local/bin/layerleak"]
CMD ["--help"]
