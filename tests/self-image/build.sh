#!/usr/bin/env bash
# Builds layerleak's own container image from the repository's Dockerfile with buildah, with
# no image pulled from anywhere, then scans it with layerleak itself: it must come out clean.
#
#   1. a Rust builder image: a Debian bookworm rootfs from debootstrap (gcc, libc6-dev,
#      ca-certificates) plus this machine's Rust toolchain, committed by buildah from scratch;
#   2. `buildah bud` of the Dockerfile with RUST_IMAGE set to that builder (chroot isolation,
#      vfs storage in a temporary directory; cargo fetches crates from crates.io);
#   3. the result exported by skopeo as OUT/layerleak-image.tar (docker-archive) and checked:
#      the final stage holds only the binary and the CA roots, the binary runs, and
#      `layerleak scan` of the image exits 0.
#
# Needs root, network access to deb.debian.org and crates.io, and the Debian packages
# buildah, skopeo and debootstrap. ROOTFS_CACHE=DIR reuses a debootstrap tree between runs.
#
# Usage: tests/self-image/build.sh OUT LAYERLEAK_BINARY
set -euo pipefail

if [ $# -ne 2 ]; then
    echo "usage: $0 OUT_DIR LAYERLEAK_BINARY" >&2
    exit 2
fi
repo=$(cd "$(dirname "$0")/../.." && pwd)
mkdir -p "$1"
out=$(cd "$1" && pwd)
layerleak=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")

for tool in buildah skopeo debootstrap rustc cargo; do
    command -v "$tool" >/dev/null || { echo "$0: $tool not found" >&2; exit 2; }
done

work=$(mktemp -d "${TMPDIR:-/tmp}/layerleak-self-image.XXXXXX")
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

echo "== builder rootfs (debootstrap bookworm minbase + gcc)"
rootfs=${ROOTFS_CACHE:-$work/rootfs}
if [ ! -x "$rootfs/usr/bin/gcc" ]; then
    rm -rf "$rootfs"
    debootstrap --variant=minbase --include=gcc,g++,cmake,make,libc6-dev,ca-certificates \
        bookworm "$rootfs" http://deb.debian.org/debian >"$work/debootstrap.log" 2>&1 || {
        tail -20 "$work/debootstrap.log" >&2
        exit 1
    }
fi

echo "== builder image (rootfs + this machine's Rust toolchain)"
sysroot=$(rustc --print sysroot)
ctr=$(buildah from --signature-policy "$work/policy.json" scratch)
buildah copy "$ctr" "$rootfs" / >/dev/null
for dir in bin lib libexec; do
    buildah copy "$ctr" "$sysroot/$dir" "/usr/local/rust/$dir" >/dev/null
done
# cargo in the builder trusts what this machine trusts (a network may intercept TLS with its
# own CA); the image keeps Debian's bundle, which is what the final stage ships.
host_ca=${SSL_CERT_FILE:-/etc/ssl/certs/ca-certificates.crt}
buildah copy "$ctr" "$host_ca" /usr/local/share/layerleak-builder/host-ca.crt >/dev/null
buildah config \
    --env PATH=/usr/local/cargo/bin:/usr/local/rust/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    --env CARGO_HOME=/usr/local/cargo \
    --env CARGO_HTTP_CAINFO=/usr/local/share/layerleak-builder/host-ca.crt \
    --created-by "debootstrap bookworm + rust $(rustc --version | cut -d' ' -f2)" "$ctr"
buildah commit --quiet --signature-policy "$work/policy.json" --rm "$ctr" \
    localhost/layerleak/rust-builder:ci >/dev/null

echo "== buildah bud (Dockerfile)"
buildah bud --quiet --layers --pull=never --isolation chroot \
    --signature-policy "$work/policy.json" \
    --build-arg RUST_IMAGE=localhost/layerleak/rust-builder:ci \
    -t localhost/layerleak/layerleak:ci -f "$repo/Dockerfile" "$repo" >/dev/null

echo "== export and check"
rm -f "$out/layerleak-image.tar"
skopeo --policy "$work/policy.json" copy --quiet "${store}localhost/layerleak/layerleak:ci" \
    "docker-archive:$out/layerleak-image.tar:layerleak:ci"
ctr=$(buildah from --signature-policy "$work/policy.json" localhost/layerleak/layerleak:ci)
mnt=$(buildah mount "$ctr")
files=$(cd "$mnt" && find . -type f | sort)
expected=$'./etc/ssl/certs/ca-certificates.crt\n./usr/local/bin/layerleak'
if [ "$files" != "$expected" ]; then
    echo "$0: the final stage holds more than the binary and the CA roots:" >&2
    echo "$files" >&2
    exit 1
fi
"$mnt/usr/local/bin/layerleak" --version
buildah umount "$ctr" >/dev/null

echo "== layerleak scans itself"
"$layerleak" scan "$out/layerleak-image.tar"
