#!/usr/bin/env bash
# Builds a real image for layerleak's integration tests, with no network:
#   1. a busybox base image from a rootfs made of Debian's busybox-static (buildah from scratch),
#   2. the Dockerfile beside this script on top of it (buildah bud --layers, chroot isolation),
#      with a build argument and a freshly generated ed25519 private key,
#   3. exported by skopeo as OUT/image-docker.tar (docker-archive, tagged layerleak/real:1),
#      OUT/image-oci.tar (oci-archive) and OUT/oci-dir (OCI layout directory).
# Also leaves OUT/id_ed25519 (the key baked into a layer) and OUT/build-arg (the build
# argument's value) for the tests. Needs root and the Debian packages buildah, skopeo,
# busybox-static and openssh-client. Idempotent: OUT is rebuilt from scratch each run; the
# container storage lives in a temporary directory that is removed on exit.
#
# Usage: tests/real-image/build.sh OUT
# Then:  LAYERLEAK_REAL_IMAGE_DIR=OUT cargo test -p layerleak --test it real_image -- --ignored
set -euo pipefail

if [ $# -ne 1 ]; then
    echo "usage: $0 OUT_DIR" >&2
    exit 2
fi
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$1"
out=$(cd "$1" && pwd)

# A checksum-valid (made-up) npm token, passed with --build-arg.
npm_token=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

for tool in buildah skopeo ssh-keygen; do
    command -v "$tool" >/dev/null || { echo "$0: $tool not found" >&2; exit 2; }
done
busybox=/bin/busybox
[ -x "$busybox" ] || { echo "$0: $busybox not found (apt-get install busybox-static)" >&2; exit 2; }
if ! "$busybox" --list >/dev/null 2>&1 || ldd "$busybox" >/dev/null 2>&1; then
    echo "$0: $busybox is not a static busybox (apt-get install busybox-static)" >&2
    exit 2
fi

# Private container storage (vfs: works without overlayfs or fuse), used by buildah and
# skopeo alike, so nothing depends on or changes the machine's own storage.
work=$(mktemp -d "${TMPDIR:-/tmp}/layerleak-real-image.XXXXXX")
cleanup() {
    # vfs layers may hold read-only dirs; buildah's own rm first, then the tree.
    buildah rm --all >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT
cat >"$work/storage.conf" <<EOF
[storage]
driver = "vfs"
graphroot = "$work/root"
runroot = "$work/run"
EOF
export CONTAINERS_STORAGE_CONF="$work/storage.conf"
export BUILDAH_ISOLATION=chroot
# No registry is ever contacted: only local images and archives are used.
printf '{"default":[{"type":"insecureAcceptAnything"}]}\n' >"$work/policy.json"
store="containers-storage:[vfs@$work/root+$work/run]"

rm -rf "$out/image-docker.tar" "$out/image-oci.tar" "$out/oci-dir" "$out/context" \
    "$out/id_ed25519" "$out/build-arg"

echo "== base image from busybox-static"
rootfs="$work/rootfs"
mkdir -p "$rootfs/bin" "$rootfs/tmp" "$rootfs/root" "$rootfs/etc"
cp "$busybox" "$rootfs/bin/busybox"
for applet in sh ash cat cp echo ls mkdir mv rm chmod sed; do
    ln -s busybox "$rootfs/bin/$applet"
done
echo 'root:x:0:0:root:/root:/bin/sh' >"$rootfs/etc/passwd"
echo 'root:x:0:' >"$rootfs/etc/group"
ctr=$(buildah from --signature-policy "$work/policy.json" scratch)
buildah copy "$ctr" "$rootfs" / >/dev/null
buildah config --cmd /bin/sh --env PATH=/bin \
    --created-by "COPY busybox-static rootfs /" "$ctr"
buildah commit --quiet --signature-policy "$work/policy.json" --rm "$ctr" \
    localhost/layerleak/busybox-base:1 >/dev/null

echo "== build context (with a fresh ed25519 key)"
ctx="$out/context"
mkdir -p "$ctx"
cp "$here/Dockerfile" "$here/config.yml" "$here/hello.txt" "$here/settings.env" "$ctx/"
ssh-keygen -q -t ed25519 -N '' -C 'deploy@layerleak-test' -f "$ctx/id_ed25519"
cp "$ctx/id_ed25519" "$out/id_ed25519"
printf '%s\n' "$npm_token" >"$out/build-arg"

echo "== buildah bud"
buildah bud --quiet --layers --pull=never --isolation chroot \
    --signature-policy "$work/policy.json" \
    --build-arg "NPM_TOKEN=$npm_token" \
    -t localhost/layerleak/real:1 -f "$ctx/Dockerfile" "$ctx" >/dev/null

echo "== skopeo copy: docker-archive, oci-archive, oci"
src="${store}localhost/layerleak/real:1"
skopeo --policy "$work/policy.json" copy --quiet "$src" \
    "docker-archive:$out/image-docker.tar:layerleak/real:1"
skopeo --policy "$work/policy.json" copy --quiet "$src" \
    "oci-archive:$out/image-oci.tar:layerleak/real:1"
skopeo --policy "$work/policy.json" copy --quiet "$src" "oci:$out/oci-dir:layerleak/real:1"

ls -l "$out"
