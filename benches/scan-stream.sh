#!/usr/bin/env bash
# The streamed-scan benchmark: the generated gzip `docker save` archive of scan-image.sh
# scanned as a container engine's export stream (read once, front to back: the path of
# `layerleak scan docker:NAME`), against the time to only gunzip its layers on one core,
# measured in the same run. Records everything under
# benches/runs/<date>-<machine>-scan-stream/.
#
#   benches/scan-stream.sh [machine-name]
#
# RUNS=5 sets the number of measured rounds (each: one gunzip, one streamed scan per
# binary, interleaved so all see the same machine state). IMAGE_DIR (default
# target/bench-image) caches the generated image, as for scan-image.sh. BEFORE=PATH adds a
# second `scan_stream` binary (built from another commit) to every round, to compare
# before and after a change.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
machine=${1:-$(hostname -s 2>/dev/null || echo unknown)}
runs=${RUNS:-5}
img=${IMAGE_DIR:-$root/target/bench-image}
out="benches/runs/$(date +%Y-%m-%d)-$machine-scan-stream"
mkdir -p "$out"

cargo build --release -p layerleak-benches --bin gen_image --bin gunzip_layers --bin scan_stream
bin=$root/target/release

if [[ ! -s $img/image.tar ]]; then
    mkdir -p "$img"
    "$bin/gen_image" "$img" 2>&1 | tee "$img/layers.txt"
fi

{
    echo "date: $(date -u +%Y-%m-%dT%H:%MZ)"
    echo "nproc: $(nproc)"
    echo "cpu: $(grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
    echo "kernel: $(uname -sr)"
    echo "rustc: $(rustc -V)"
    echo "commit: $(git rev-parse --short HEAD 2>/dev/null || echo none)$(git diff --quiet 2>/dev/null || echo ' (dirty)')"
    echo "image: $img/image.tar ($(stat -c %s "$img/image.tar") bytes)"
    echo "before: ${BEFORE:-none}"
    echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
} >"$out/machine.txt"
cat "$out/machine.txt"
cat "$img/image.tar" >/dev/null

# One streamed scan with `$1`: prints "seconds reading_thread_cpu_s peak_rss_kib user_s sys_s".
stream() {
    local line
    line=$(/usr/bin/time -f '%M %U %S' -o "$out/time.txt" "$1" "$img/image.tar")
    [[ $line == *complete=true* ]] || { echo "incomplete scan: $line" >&2; exit 1; }
    echo "$line" >"$out/last-$2.txt"
    echo "$(sed -n 's/.*scan_stream_seconds=\([0-9.]*\).*/\1/p' <<<"$line")" \
        "$(sed -n 's/.*reading_thread_cpu_seconds=\([0-9.]*\).*/\1/p' <<<"$line")" \
        "$(tail -1 "$out/time.txt")"
}

header="run gunzip_s after_s after_reader_cpu_s after_rss_kib after_user_s after_sys_s after_ratio"
[[ -n ${BEFORE:-} ]] && header+=" before_s before_reader_cpu_s before_rss_kib before_user_s before_sys_s before_ratio"
echo "$header load1" >"$out/runs.txt"
for i in $(seq 1 "$runs"); do
    g=$("$bin/gunzip_layers" "$img/image.tar")
    gunzip_s=$(sed -n 's/.*gunzip_seconds=\([0-9.]*\).*/\1/p' <<<"$g")
    row="$i $gunzip_s"
    for side in after ${BEFORE:+before}; do
        exe=$bin/scan_stream
        [[ $side == before ]] && exe=$BEFORE
        read -r s reader rss user sys < <(stream "$exe" "$side")
        row+=" $s $reader $rss $user $sys $(awk -v s="$s" -v g="$gunzip_s" 'BEGIN { printf "%.3f", s / g }')"
    done
    echo "$row $(cut -d' ' -f1 /proc/loadavg)" | tee -a "$out/runs.txt"
done
rm -f "$out/time.txt"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" >>"$out/machine.txt"

# Median and range (min–max) of each column.
awk '
    NR == 1 { for (c = 2; c <= NF; c++) names[c] = $c; cols = NF; next }
    { for (c = 2; c <= cols; c++) v[c, NR - 1] = $c; n = NR - 1 }
    END {
        print "| figure | median | min | max |"
        print "| --- | --- | --- | --- |"
        for (c = 2; c <= cols; c++) {
            for (i = 1; i <= n; i++) a[i] = v[c, i]
            for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
            m = n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
            printf "| %s | %s | %s | %s |\n", names[c], m, a[1], a[n]
        }
    }
' "$out/runs.txt" | tee "$out/summary.md"
echo "recorded in $out"
