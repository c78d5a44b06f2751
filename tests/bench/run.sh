#!/bin/bash
# make bench: every benchmark, results on the terminal and under $BUILD/bench/.
set -euo pipefail
BUILD=${BUILD:-build}
mkdir -p "$BUILD/bench"

echo "== Maglev quality and table build time"
"$BUILD/bench/maglev_report" --json "$BUILD/bench/maglev.json"
echo "(results: $BUILD/bench/maglev.json)"

echo "== End to end: packets/s and requests/s through evenflow and the baselines"
BUILD=$BUILD "$(dirname "$0")/e2e/run.sh"
