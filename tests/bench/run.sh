#!/bin/bash
# make bench: every benchmark, results on the terminal and under $BUILD/bench/
# (JSON), and the chart of the ratios (docs/bench.png, shown by the README).
set -euo pipefail
BUILD=${BUILD:-build}
HERE=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$BUILD/bench"

echo "== Maglev quality and table build time"
"$BUILD/bench/maglev_report" --json "$BUILD/bench/maglev.json"
echo "(results: $BUILD/bench/maglev.json)"

echo
echo "== Data plane: cost per packet (BPF_PROG_TEST_RUN), control plane, memory"
BUILD=$BUILD "$BUILD/bench/prog_bench" --json "$BUILD/bench/prog.json"
echo "(results: $BUILD/bench/prog.json)"

echo
echo "== End to end: packets/s and requests/s through evenflow and the baselines"
BUILD=$BUILD "$HERE/e2e/run.sh"

echo
echo "== Chart"
"$HERE/chart.sh" "$BUILD/bench" "$HERE/../../docs/bench.png"
