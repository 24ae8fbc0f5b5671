#!/usr/bin/env bash
# Builds layerleak's own container image from the repository's Dockerfile with buildah, with
# no image pulled from anywhere and no network inside the build, then scans it with the
# layerleak binary it contains: it must come out clean.
#
#   1. a Rust builder image: a Debian bookworm rootfs from debootstrap (gcc, g++, cmake, make,
#      libc6-dev, ca-certificates: aws-lc-sys builds aws-lc with cmake and a C/C++ compiler)
#      plus this machine's Rust toolchain, committed by buildah from scratch;
#   2. `buildah bud` of the Dockerfile with RUST_IMAGE set to that builder
#      (chroot isolation, vfs storage in a temporary directory). Cargo runs offline: the
#      builder's CARGO_HOME is /cargo, and /cargo/registry is a copy of this machine's cargo
#      registry (index and .crate files, which `cargo fetch --locked` fills), mounted into
#      the build with `-v`. The Dockerfile's cache mount on /usr/local/cargo/registry, for
#      builds that fetch from crates.io, is unused here;
#   3. the result exported by skopeo as OUT/layerleak-image.tar (docker-archive) and checked:
#      the final stage holds only the binary and the CA roots, and the binary from the image
#      (static, so it runs on this machine) scans the image it came from and exits 0.
#
# Needs root, the Debian packages buildah, skopeo and debootstrap, and a Debian mirror for
# debootstrap: DEBIAN_MIRROR, else the first `URIs:`/`deb` line of this machine's apt
# sources, else http://deb.debian.org/debian. ROOTFS_CACHE=DIR keeps the debootstrap tree
# between runs (it is rebuilt when missing).
#
# Usage: tests/self-image/build.sh OUT_DIR
set -euo pipefail

if [ $# -ne 1 ]; then
    echo "usage: $0 OUT_DIR" >&2
    exit 2
fi
repo=$(cd "$(dirname "$0")/../.." && pwd)
mkdir -p "$1"
out=$(cd "$1" && pwd)

for tool in buildah skopeo debootstrap rustc cargo; do
    command -v "$tool" >/dev/null || { echo "$0: $tool not found" >&2; exit 2; }
done

debian_mirror() {
    if [ -n "${DEBIAN_MIRROR:-}" ]; then
        echo "$DEBIAN_MIRROR"
        return
    fi
    local uri
    uri=$(cat /etc/apt/sources.list.d/*.sources 2>/dev/null \
        | awk '/^URIs:/ && $2 !~ /security/ { print $2; exit }')
    if [ -z "$uri" ]; then
        uri=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null \
            | awk '$1 == "deb" && $2 !~ /^\[/ && $2 !~ /security/ { print $2; exit }')
    fi
    echo "${uri:-http://deb.debian.org/debian}"
}

work=$(mktemp -d "${TMPDIR:-/tmp}/layerleak-self-image.XXXXXX")
# buildah writes blobs to TMPDIR while committing (2 GB for the builder): inside $work, so
# they are counted, and removed, with the rest.
mkdir -p "$work/tmp"
export TMPDIR="$work/tmp"
cleanup() {
    buildah rm --all >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT
cat >"$work/storage.conf" <<CONF
[storage]
driver = "vfs"
graphroot = "$work/root"
runroot = "$work/run"
CONF
export CONTAINERS_STORAGE_CONF="$work/storage.conf"
export BUILDAH_ISOLATION=chroot
printf '{"default":[{"type":"insecureAcceptAnything"}]}\n' >"$work/policy.json"
store="containers-storage:[vfs@$work/root+$work/run]"
elapsed() { echo "   ($((SECONDS - $1)) s)"; }

start=$SECONDS
mirror=$(debian_mirror)
echo "== builder rootfs (debootstrap bookworm minbase + gcc, g++, cmake, ISA-L's build tools from $mirror)"
rootfs=${ROOTFS_CACHE:-$work/rootfs}
# nasm, autoconf, automake, libtool: isal-sys builds ISA-L (the gzip inflater) from source.
if [ ! -x "$rootfs/usr/bin/cmake" ] || [ ! -x "$rootfs/usr/bin/nasm" ]; then
    rm -rf "$rootfs"
    debootstrap --variant=minbase \
        --include=gcc,g++,cmake,make,libc6-dev,ca-certificates,nasm,autoconf,automake,libtool \
        bookworm "$rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 || {
        tail -20 "$work/debootstrap.log" >&2
        exit 1
    }
fi
elapsed "$start"

start=$SECONDS
echo "== builder image (rootfs + this machine's Rust toolchain)"
sysroot=$(rustc --print sysroot)
ctr=$(buildah from --signature-policy "$work/policy.json" scratch)
buildah copy "$ctr" "$rootfs" / >/dev/null
for dir in bin lib libexec; do
    buildah copy "$ctr" "$sysroot/$dir" "/usr/local/rust/$dir" >/dev/null
done
buildah config \
    --env PATH=/usr/local/rust/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    --env CARGO_HOME=/cargo \
    --env CARGO_NET_OFFLINE=true \
    --created-by "debootstrap bookworm + rust $(rustc --version | cut -d' ' -f2)" "$ctr"
buildah commit --quiet --signature-policy "$work/policy.json" --rm "$ctr" \
    localhost/layerleak/rust-builder:ci >/dev/null
# vfs keeps whole copies: the rootfs is in the image now, so a tree not kept for later runs
# goes, and so does buildah's temporary blob directory.
[ -n "${ROOTFS_CACHE:-}" ] || rm -rf "$rootfs"
elapsed "$start"

start=$SECONDS
echo "== cargo registry for the offline build (this machine's, after cargo fetch --locked)"
(cd "$repo" && cargo fetch --locked --target x86_64-unknown-linux-gnu)
host_registry=${CARGO_HOME:-$HOME/.cargo}/registry
mkdir -p "$work/cargo-registry"
cp -a "$host_registry/index" "$host_registry/cache" "$work/cargo-registry/"
elapsed "$start"

start=$SECONDS
echo "== buildah bud (Dockerfile)"
buildah bud --quiet --pull=never --isolation chroot \
    --signature-policy "$work/policy.json" \
    --build-arg RUST_IMAGE=localhost/layerleak/rust-builder:ci \
    -v "$work/cargo-registry:/cargo/registry" \
    -t localhost/layerleak/layerleak:ci -f "$repo/Dockerfile" "$repo" >/dev/null
elapsed "$start"

start=$SECONDS
echo "== export and check"
rm -f "$out/layerleak-image.tar"
skopeo --policy "$work/policy.json" copy --quiet "${store}localhost/layerleak/layerleak:ci" \
    "docker-archive:$out/layerleak-image.tar:layerleak:ci"
ctr=$(buildah from --signature-policy "$work/policy.json" localhost/layerleak/layerleak:ci)
mnt=$(buildah mount "$ctr")
files=$(cd "$mnt" && find . ! -type d | sort)
expected=$'./etc/ssl/certs/ca-certificates.crt\n./usr/local/bin/layerleak'
if [ "$files" != "$expected" ]; then
    echo "$0: the final stage holds more than the binary and the CA roots:" >&2
    echo "$files" >&2
    exit 1
fi
cp "$mnt/usr/local/bin/layerleak" "$out/layerleak"
buildah umount "$ctr" >/dev/null
"$out/layerleak" --version
elapsed "$start"

start=$SECONDS
echo "== layerleak (from the image) scans its own image"
"$out/layerleak" scan "$out/layerleak-image.tar"
elapsed "$start"
