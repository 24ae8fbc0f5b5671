#!/usr/bin/env bash
# Builds the parts of a realistic, clean application image for layerleak's origin tests
# (issue 15), from real packages and no pulled image:
#   OUT/base.tar           a Debian bookworm root filesystem made by debootstrap
#                          --variant=minbase from the Debian mirror, plus libgnutls30 and
#                          python3-minimal (real dpkg status and info/*.md5sums);
#   OUT/site-packages.tar  `pip install --target` of boto3/botocore, cryptography,
#                          paramiko, django and pyjwt from PyPI, with their RECORD files,
#                          under usr/local/lib/python3.11/site-packages;
#   OUT/node_modules.tar   `npm install` of aws-sdk and jsonwebtoken under app/;
#   OUT/fetch              a small ELF program (cc) with a made-up, checksum-valid GitHub
#                          token in its string table (planted by one of the tests).
# The test (crates/cli/tests/it/origin_image.rs) makes OCI images of them in code, clean
# and with secrets planted. Needs root, debootstrap, python3 with pip, and npm.
# Idempotent: each part is rebuilt from scratch.
#
# Usage: tests/origin-image/build.sh OUT
# Then:  LAYERLEAK_ORIGIN_IMAGE_DIR=OUT cargo test -p layerleak --test it origin_image -- --ignored
set -euo pipefail

if [ $# -ne 1 ]; then
    echo "usage: $0 OUT_DIR" >&2
    exit 2
fi
mkdir -p "$1"
out=$(cd "$1" && pwd)
for tool in debootstrap python3 npm tar cc; do
    command -v "$tool" >/dev/null || { echo "$0: $tool not found" >&2; exit 2; }
done
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}

work=$(mktemp -d "${TMPDIR:-/tmp}/layerleak-origin-image.XXXXXX")
trap 'rm -rf "$work"' EXIT

echo "== base: debootstrap --variant=minbase bookworm (+ libgnutls30, python3-minimal)"
debootstrap --variant=minbase --include=libgnutls30,python3-minimal \
    bookworm "$work/rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 \
    || { tail -20 "$work/debootstrap.log" >&2; exit 1; }
# What a Dockerfile's base would not carry: the apt cache and device nodes.
rm -rf "$work/rootfs/var/cache/apt/archives/"*.deb "$work/rootfs/dev/"*
tar -C "$work/rootfs" --numeric-owner -cf "$out/base.tar" .

# The versions are pinned so that the findings the tests count do not change with new
# releases; their dependencies float.
echo "== site-packages: pip install --target (from PyPI)"
site="$work/py/usr/local/lib/python3.11/site-packages"
mkdir -p "$site"
python3 -m pip install --quiet --disable-pip-version-check --no-compile --break-system-packages \
    --target "$site" \
    boto3==1.44.18 botocore==1.44.18 cryptography==51.0.1 paramiko==5.1.0 django==5.2.20 pyjwt==2.15.1
tar -C "$work/py" --numeric-owner -cf "$out/site-packages.tar" .

echo "== node_modules: npm install (from the npm registry)"
mkdir -p "$work/js/app"
(cd "$work/js/app" && npm init -y >/dev/null && npm install --silent --no-audit --no-fund aws-sdk@2.1693.0 jsonwebtoken@9.0.3)
tar -C "$work/js" --numeric-owner -cf "$out/node_modules.tar" .

echo "== a binary with a token in its string table"
token=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
printf '#include <stdio.h>\nstatic const char token[] = "%s";\nint main(void) { return puts(token) < 0; }\n' \
    "$token" >"$work/fetch.c"
cc -O2 -o "$out/fetch" "$work/fetch.c"

ls -l "$out"
