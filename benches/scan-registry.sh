#!/usr/bin/env bash
# The registry scan benchmark: `layerleak scan 127.0.0.1:PORT/bench:1` against
# `layerleak scan image.tar` of the same ≈ 1.1 GB (uncompressed) five-layer image, in the
# same run, interleaved. The image is benches/scan-image.sh's (gen_image); it is pushed
# with skopeo to Debian's docker-registry started on loopback with a temporary storage
# directory. Records under benches/runs/<date>-<machine>-scan-registry/.
#
#   benches/scan-registry.sh [machine-name]
#
# RUNS=3 sets the number of rounds; IMAGE_DIR (default target/bench-image) caches the image.
# Needs docker-registry and skopeo.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
machine=${1:-$(hostname -s 2>/dev/null || echo unknown)}
runs=${RUNS:-3}
img=${IMAGE_DIR:-$root/target/bench-image}
out="benches/runs/$(date +%Y-%m-%d)-$machine-scan-registry"
mkdir -p "$out"

cargo build --release --locked -p layerleak
cargo build --release --locked -p layerleak-benches --bin gen_image
bin=$root/target/release
if [[ ! -s $img/image.tar ]]; then
    mkdir -p "$img"
    "$bin/gen_image" "$img" 2>&1 | tee "$img/layers.txt"
fi

reg=$(mktemp -d "${TMPDIR:-/tmp}/layerleak-bench-registry.XXXXXX")
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat >"$reg/config.yml" <<YAML
version: 0.1
log:
  level: error
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $reg/storage
http:
  addr: 127.0.0.1:$port
YAML
docker-registry serve "$reg/config.yml" >"$reg/log.txt" 2>&1 &
registry_pid=$!
trap 'kill $registry_pid 2>/dev/null; rm -rf "$reg"' EXIT
for _ in $(seq 1 100); do
    curl -s -o /dev/null "http://127.0.0.1:$port/v2/" && break
    sleep 0.1
done
skopeo --insecure-policy copy --quiet --dest-tls-verify=false "oci:$img/oci" "docker://127.0.0.1:$port/bench:1"

{
    echo "date: $(date -u +%Y-%m-%dT%H:%MZ)"
    echo "nproc: $(nproc)"
    echo "cpu: $(grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
    echo "commit: $(git rev-parse --short HEAD 2>/dev/null || echo none)$(git diff --quiet 2>/dev/null || echo ' (dirty)')"
    echo "image: $img/image.tar ($(stat -c %s "$img/image.tar") bytes), pushed to docker-registry $(docker-registry --version | awk '{print $3}') on 127.0.0.1"
    echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
} >"$out/machine.txt"
cat "$out/machine.txt"
# Warm the page cache for both: the archive and the registry's blob files.
cat "$img/image.tar" >/dev/null
find "$reg/storage" -type f -exec cat {} + >/dev/null

echo "run archive_s archive_rss_kib registry_s registry_rss_kib ratio load1" >"$out/runs.txt"
timed() { # label target → "seconds rss_kib"; the scan must exit 1 (findings, complete)
    set +e
    /usr/bin/time -f '%e %M' -o "$out/time.txt" "$bin/layerleak" scan "$2" --format json >"$out/$1.json" 2>"$out/$1-stderr.txt"
    local code=$?
    set -e
    if [[ $code != 1 ]]; then
        echo "$1 scan exited $code (expected 1)" >&2
        cat "$out/$1-stderr.txt" >&2
        exit 1
    fi
    tail -1 "$out/time.txt"
}
for i in $(seq 1 "$runs"); do
    read -r a_s a_rss < <(timed archive "$img/image.tar")
    read -r r_s r_rss < <(timed registry "127.0.0.1:$port/bench:1")
    echo "$i $a_s $a_rss $r_s $r_rss $(awk -v r="$r_s" -v a="$a_s" 'BEGIN { printf "%.3f", r / a }') $(cut -d' ' -f1 /proc/loadavg)" |
        tee -a "$out/runs.txt"
done
# Same findings from both (image names aside).
norm='[.findings[] | {rule_id, fingerprint, locations: [.locations[] | del(.image)]}]'
if ! diff <(jq -S "$norm" "$out/archive.json") <(jq -S "$norm" "$out/registry.json") >/dev/null; then
    echo "registry and archive findings differ" >&2
    exit 1
fi
jq -r '"findings: \(.findings | length), issues: \(.issues | length), complete: \(.complete) (same from both)"' \
    "$out/registry.json" >"$out/report-summary.txt"
rm -f "$out/time.txt" "$out"/*.json
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
ratio=$(tail -n +2 "$out/runs.txt" | awk '{ print $6 }' | median)
rss=$(tail -n +2 "$out/runs.txt" | awk '{ print $5 }' | median)
archive_rss=$(tail -n +2 "$out/runs.txt" | awk '{ print $3 }' | median)
printf 'registry / archive wall (median of %s runs): %s (target <= 1.15)\nregistry peak RSS (median): %s KiB (target <= 131072); archive: %s KiB\n' \
    "$runs" "$ratio" "$rss" "$archive_rss" | tee "$out/summary.md"
cat "$out/report-summary.txt"
echo "recorded in $out"
