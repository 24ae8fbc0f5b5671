#!/usr/bin/env bash
# Runs the `engine` benchmark once per flate2 backend and records the output under
# benches/runs/<date>-<machine>/, then prints MB/s per group and scan/tree ÷ gunzip/tree.
#
#   benches/run.sh [machine-name]
#
# The first backend (zlib-rs, the default) runs every group; the others run only
# scan/tree and gunzip/tree, so each backend's ratio comes from one run on one machine
# state. FULL=1 runs every group for every backend. BACKENDS="zlib-rs miniz" picks
# backends. zlib-ng builds zlib-ng from C with cmake and is skipped when cmake is missing.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
machine=${1:-$(hostname -s 2>/dev/null || echo unknown)}
out="benches/runs/$(date +%Y-%m-%d)-$machine"
mkdir -p "$out"
backends=${BACKENDS:-zlib-rs zlib-ng miniz}

{
    echo "date: $(date -u +%Y-%m-%dT%H:%MZ)"
    echo "nproc: $(nproc)"
    cpuinfo() { grep -m1 "^$1" /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'; }
    echo "cpu: $(cpuinfo 'model name') (family $(cpuinfo 'cpu family'), model $(cpuinfo 'model\s'), $(cpuinfo 'cpu MHz') MHz)"
    echo "simd: $(cpuinfo flags | tr ' ' '\n' | grep -xE 'sse4_2|avx2|avx512f|avx512bw|bmi2|pclmulqdq|vpclmulqdq|sha_ni' | tr '\n' ' ')"
    echo "caches: $(lscpu 2>/dev/null | grep -E '^L[23] cache' | sed 's/  */ /g' | tr '\n' ';')"
    echo "mem: $(awk '/MemTotal/ {printf "%.1f GB", $2 / 1e6}' /proc/meminfo)"
    echo "kernel: $(uname -sr)"
    echo "rustc: $(rustc -V)"
    echo "commit: $(git rev-parse --short HEAD 2>/dev/null || echo none)$(git diff --quiet 2>/dev/null || echo ' (dirty)')"
    echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
} >"$out/machine.txt"
cat "$out/machine.txt"

first=1
for b in $backends; do
    if [[ $b == zlib-ng ]] && ! command -v cmake >/dev/null; then
        echo "skipping zlib-ng: cmake is not installed" | tee "$out/$b.txt"
        continue
    fi
    filter=()
    if [[ $first == 0 && ${FULL:-0} != 1 ]]; then
        filter=('^(scan/tree|gunzip/tree)$')
    fi
    first=0
    echo "== $b: cargo bench -p layerleak-benches --bench engine --no-default-features --features $b ${filter[*]:+-- ${filter[*]}}"
    {
        echo "# resolved: $(cargo tree -q -p layerleak-benches --no-default-features --features "$b" \
            -e features -i flate2 --depth 0 -f '{p} features: {f}' 2>/dev/null | head -1)"
        cargo bench -p layerleak-benches --bench engine --no-default-features --features "$b" \
            -- "${filter[@]}" 2>&1
    } | tee "$out/$b.txt" | grep -E '^(flate2|tree|rules|scan/|[a-z-]+/[a-z-]+ +time|.*thrpt)' || true
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" >>"$out/machine.txt"

# Criterion prints `name  time: [lo mid hi]` then `thrpt: [lo mid hi]`; take the middle
# (the estimate), in MB/s (10^6 bytes). Groups without throughput report time in ms.
summarize() {
    awk '
        function mbps(v, u) { return u == "GiB/s" ? v * 1073.741824 : u == "MiB/s" ? v * 1.048576 : u == "KiB/s" ? v * 0.001024 : v / 1e6 }
        function ms(v, u) { return u == "s" ? v * 1e3 : u == "ms" ? v : u == "µs" ? v / 1e3 : v / 1e6 }
        /^[a-z-]+\/[a-z-]+ +time:/ { name = $1; t = ms($5, $6); printf "%s %s ms\n", name, t; next }
        /^[a-z-]+\/[a-z-]+$/ { name = $1; next }
        /^ +time:/ && name != "" { t = ms($4, $5); printf "%s %s ms\n", name, t; next }
        /thrpt:/ && name != "" { printf "%s %.1f MB/s\n", name, mbps($4, $5); name = "" }
    ' "$1"
}

{
    echo "| backend | group | figure |"
    echo "| --- | --- | --- |"
    for b in $backends; do
        [[ -s $out/$b.txt ]] || continue
        summarize "$out/$b.txt" | awk -v b="$b" '
            { fig[$1] = $2 " " $3 }
            END { for (k in fig) if (fig[k] ~ /MB/ || k ~ /^compile/) printf "| %s | %s | %s |\n", b, k, fig[k] }' | sort -t'|' -k3
    done
    echo
    echo "| backend | scan/tree MB/s | gunzip/tree MB/s | scan ÷ gunzip |"
    echo "| --- | --- | --- | --- |"
    for b in $backends; do
        [[ -s $out/$b.txt ]] || continue
        summarize "$out/$b.txt" | awk -v b="$b" '
            $1 == "scan/tree" && $3 == "MB/s" { s = $2 }
            $1 == "gunzip/tree" && $3 == "MB/s" { g = $2 }
            END { if (s && g) printf "| %s | %.0f | %.0f | %.2f |\n", b, s, g, s / g }'
    done
} | tee "$out/summary.md"
echo "recorded in $out"
