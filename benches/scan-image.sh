#!/usr/bin/env bash
# The local-archive scan benchmark: `layerleak scan` on a generated ≈ 1.1 GB (uncompressed)
# five-layer gzip `docker save` archive, against the time to only decompress its layers on
# one core, measured in the same run: with zlib-rs (`gunzip_layers`, the old floor) and with
# ISA-L's `igzip -d` (Debian package `isal`; the new floor, what layerleak inflates with).
# Records everything under benches/runs/<date>-<machine>-scan-image/.
#
#   benches/scan-image.sh [machine-name]
#
# RUNS=5 sets the number of measured rounds (each: one gunzip, one igzip, one scan,
# interleaved so all see the same machine state). Without `igzip` on PATH its columns read
# NA. IMAGE_DIR (default target/bench-image) caches the generated
# image: delete it to regenerate (see benches/src/bin/gen_image.rs). The binaries are taken
# from CARGO_TARGET_DIR when it is set. Needs jq, to check
# that every planted secret is in the report.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
machine=${1:-$(hostname -s 2>/dev/null || echo unknown)}
runs=${RUNS:-5}
img=${IMAGE_DIR:-$root/target/bench-image}
out="benches/runs/$(date +%Y-%m-%d)-$machine-scan-image"
mkdir -p "$out"

# Separate builds, so neither package's features leak into the other's flate2.
cargo build --release --locked -p layerleak
cargo build --release --locked -p layerleak-benches --bin gen_image --bin gunzip_layers
bin=${CARGO_TARGET_DIR:-$root/target}/release

if [[ ! -s $img/image.tar ]]; then
    mkdir -p "$img"
    "$bin/gen_image" "$img" 2>&1 | tee "$img/layers.txt"
fi

{
    echo "date: $(date -u +%Y-%m-%dT%H:%MZ)"
    echo "nproc: $(nproc)"
    echo "cpu: $(grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
    echo "mem: $(awk '/MemTotal/ {printf "%.1f GB", $2 / 1e6}' /proc/meminfo)"
    echo "kernel: $(uname -sr)"
    echo "rustc: $(rustc -V)"
    echo "commit: $(git rev-parse --short HEAD 2>/dev/null || echo none)$(git diff --quiet 2>/dev/null || echo ' (dirty)')"
    echo "image: $img/image.tar ($(stat -c %s "$img/image.tar") bytes)"
    echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
} >"$out/machine.txt"
cp "$img/layers.txt" "$out/layers.txt" 2>/dev/null || true
cat "$out/machine.txt"

# igzip reads the same layer blobs as files (gen_image writes them beside the archive).
layers=("$img"/layers/*.tar.gz)
igzip=$(command -v igzip || true)
if [[ -z $igzip || ! -e ${layers[0]} ]]; then
    igzip=
    echo "igzip or $img/layers/ missing: no igzip figures" >&2
fi

# Warm the page cache, so every side reads the archive from memory.
cat "$img/image.tar" >/dev/null
[[ -n $igzip ]] && cat "${layers[@]}" >/dev/null

echo "run gunzip_s gunzip_user_s scan_s scan_user_s scan_sys_s peak_rss_kib ratio cpu_ratio load1 igzip_s igzip_user_s igzip_ratio" >"$out/runs.txt"
for i in $(seq 1 "$runs"); do
    g=$(/usr/bin/time -f '%U' -o "$out/gunzip-time.txt" "$bin/gunzip_layers" "$img/image.tar")
    gunzip_s=$(sed -n 's/.*gunzip_seconds=\([0-9.]*\).*/\1/p' <<<"$g")
    gunzip_user=$(tail -1 "$out/gunzip-time.txt")
    igzip_s=NA igzip_user=NA
    if [[ -n $igzip ]]; then
        /usr/bin/time -f '%e %U' -o "$out/igzip-time.txt" "$igzip" -d -c "${layers[@]}" >/dev/null
        read -r igzip_s igzip_user < <(tail -1 "$out/igzip-time.txt")
    fi
    set +e
    /usr/bin/time -f '%e %U %S %M' -o "$out/scan-time.txt" \
        "$bin/layerleak" scan "$img/image.tar" --format json >"$out/report.json" 2>"$out/scan-stderr.txt"
    code=$?
    set -e
    if [[ $code != 1 ]]; then
        echo "layerleak scan exited $code (expected 1: findings, scan complete)" >&2
        cat "$out/scan-stderr.txt" >&2
        exit 1
    fi
    read -r scan_s scan_user scan_sys rss < <(tail -1 "$out/scan-time.txt")
    ratio=$(awk -v s="$scan_s" -v g="$gunzip_s" 'BEGIN { printf "%.3f", s / g }')
    cpu_ratio=$(awk -v u="$scan_user" -v s="$scan_sys" -v g="$gunzip_user" 'BEGIN { printf "%.3f", (u + s) / g }')
    igzip_ratio=$(awk -v s="$scan_s" -v g="$igzip_s" 'BEGIN { if (g + 0 > 0) printf "%.3f", s / g; else print "NA" }')
    echo "$i $gunzip_s $gunzip_user $scan_s $scan_user $scan_sys $rss $ratio $cpu_ratio $(cut -d' ' -f1 /proc/loadavg) $igzip_s $igzip_user $igzip_ratio" |
        tee -a "$out/runs.txt"
done
rm -f "$out/gunzip-time.txt" "$out/igzip-time.txt" "$out/scan-time.txt"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" >>"$out/machine.txt"

# Every planted secret must be reported, in its layer and file.
while IFS=$'\t' read -r layer path what; do
    if ! jq -e --arg p "$path" --argjson l "$layer" \
        '[.findings[].locations[] | select(.kind == "layer" and .layer == $l and .path == $p)] | length > 0' \
        "$out/report.json" >/dev/null; then
        echo "planted secret not reported: layer $layer $path ($what)" >&2
        exit 1
    fi
done <"$img/planted.txt"
jq -r '"findings: \(.findings | length), issues: \(.issues | length), complete: \(.complete)"' \
    "$out/report.json" >"$out/report-summary.txt"
rm -f "$out/report.json" "$out/scan-stderr.txt"

# Median and spread (min–max) of each column.
awk '
    NR == 1 { next }
    { for (c = 2; c <= 13; c++) v[c, NR - 1] = $c; n = NR - 1 }
    function median(c,    i, j, t, a) {
        for (i = 1; i <= n; i++) a[i] = v[c, i]
        for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
        lo = a[1]; hi = a[n]
        return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
    }
    END {
        split("gunzip_s gunzip_user_s scan_s scan_user_s scan_sys_s peak_rss_kib ratio cpu_ratio load1 igzip_s igzip_user_s igzip_ratio", names, " ")
        print "| figure | median | min | max |"
        print "| --- | --- | --- | --- |"
        for (c = 2; c <= 13; c++) { m = median(c); printf "| %s | %s | %s | %s |\n", names[c - 1], m, lo, hi }
        printf "\nscan wall / 1-core gunzip (median of per-run ratios): %s\n", median(8)
        printf "scan wall / 1-core igzip -d (median of per-run ratios): %s (target ≤ 1.0)\n", median(13)
        printf "scan CPU (user + sys) / gunzip CPU: %s (on 2 idle cores the wall cannot go below half of it)\n", median(9)
        printf "peak RSS: %.1f MiB (target ≤ 128)\n", median(7) / 1024
    }
' "$out/runs.txt" | tee "$out/summary.md"
cat "$out/report-summary.txt"
echo "recorded in $out"
