#!/bin/bash
# Runs every test suite (make test) and ends with exactly one line
# "N passed, N failed"; exit status non-zero if anything failed.
#
# A suite is an executable that prints TAP lines ("ok N - ..." / "not ok N -
# ..."; "1..N" plans, several allowed; "# ..." diagnostics):
#   unit     $BUILD/tests/test_*        (cmocka, CMOCKA_MESSAGE_OUTPUT=TAP)
#   packet   $BUILD/tests/packet_tests  (cmocka, BPF_PROG_TEST_RUN)
#   static   tests/static/test_*        (the code's shape: layers, cycles, sizes)
#   e2e      tests/e2e/test_*.sh        (netns harness, real traffic; root)
# Every "ok" line counts as one pass and every "not ok" line as one failure.
# A suite also counts one failure when it exits non-zero without reporting a
# failure (crash, timeout), runs fewer tests than it planned, reports
# nothing, or was not built. Full output of each suite: $BUILD/tests/logs/.
#
#   tests/run.sh [PATTERN...]   only the suites whose name contains a PATTERN
# Environment: BUILD (build), EF_SUITE_TIMEOUT (seconds per suite, 600).
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 1
BUILD=${BUILD:-build}
TIMEOUT=${EF_SUITE_TIMEOUT:-600}
LOGDIR=$BUILD/tests/logs
mkdir -p "$LOGDIR" || exit 1

passed=0
failed=0

# suite NAME PATH: what to run for each suite, in order.
names=()
paths=()
missing=()
add() {
	names+=("$1")
	paths+=("$2")
}
for src in tests/unit/test_*.c; do
	[[ -e $src ]] || continue
	bin=$BUILD/tests/$(basename "$src" .c)
	if [[ -x $bin ]]; then
		add "unit/$(basename "$bin")" "$bin"
	else
		missing+=("unit/$(basename "$bin")")
	fi
done
for bin in "$BUILD"/tests/test_*; do
	# Test binaries built from elsewhere than tests/unit (e.g. tests/maglev).
	[[ -x $bin && ! -e tests/unit/$(basename "$bin").c ]] && add "unit/$(basename "$bin")" "$bin"
done
if compgen -G 'tests/packet/*.c' >/dev/null; then
	if [[ -x $BUILD/tests/packet_tests ]]; then
		add packet/packet_tests "$BUILD/tests/packet_tests"
	else
		missing+=(packet/packet_tests)
	fi
fi
for t in tests/static/test_*; do
	[[ -x $t ]] && add "static/$(basename "$t")" "$t"
done
for t in tests/e2e/test_*.sh; do
	[[ -x $t ]] && add "e2e/$(basename "$t" .sh)" "$t"
done

selected() {
	local p
	(($# <= 1)) && return 0
	for p in "${@:2}"; do
		[[ $1 == *"$p"* ]] && return 0
	done
	return 1
}

fail_line() {
	printf '  FAIL  %s\n' "$1"
	failed=$((failed + 1))
}

for name in "${missing[@]}"; do
	selected "$name" "$@" || continue
	fail_line "$name: not built (run make test)"
done

# Leftovers of a crashed earlier run would only get in the way.
scripts/harness.sh clean-stale >/dev/null 2>&1 || true
scripts/cluster.sh clean-stale >/dev/null 2>&1 || true

for idx in "${!names[@]}"; do
	name=${names[$idx]}
	path=${paths[$idx]}
	selected "$name" "$@" || continue
	log=$LOGDIR/${name//\//-}.log
	start=$(date +%s.%N)
	# Through an inner shell so that a crash message lands in the log.
	CMOCKA_MESSAGE_OUTPUT=TAP BUILD=$BUILD bash -c '"$@"; exit $?' suite \
		timeout -k 10 "$TIMEOUT" "$path" </dev/null >"$log" 2>&1
	rc=$?
	secs=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }')
	# ok / not ok / planned; "not ok ... # TODO" is not a failure.
	read -r n_ok n_fail n_plan < <(awk '
		/^ok( |$)/ { ok++ }
		/^not ok( |$)/ { if ($0 ~ /#[ \t]*TODO/) ok++; else bad++ }
		/^1\.\.[0-9]+/ { split($0, a, /[. \t]+/); plan += a[2]; planned = 1 }
		END { printf "%d %d %d\n", ok, bad, planned ? plan : -1 }' "$log")
	extra=""
	if ((rc != 0 && n_fail == 0)); then
		if ((rc == 124 || rc == 137)); then
			extra="killed after ${TIMEOUT}s"
		elif ((rc > 128)); then
			extra="crashed (signal $((rc - 128)))"
		else
			extra="exited with status $rc"
		fi
	elif ((n_plan >= 0 && n_ok + n_fail != n_plan)); then
		extra="planned $n_plan tests, reported $((n_ok + n_fail))"
	elif ((n_plan < 0 && n_ok + n_fail == 0)); then
		extra="reported no results"
	fi
	passed=$((passed + n_ok))
	failed=$((failed + n_fail))
	summary="$n_ok ok"
	((n_fail > 0)) && summary+=", $n_fail not ok"
	if ((n_fail > 0)) || [[ -n $extra ]]; then
		[[ -n $extra ]] && failed=$((failed + 1)) && summary+="; $extra"
		printf '  FAIL  %-36s %s (%ss)\n' "$name" "$summary" "$secs"
		# Each failing line in full, with the diagnostics that follow it.
		awk '
			/^not ok( |$)/ && $0 !~ /#[ \t]*TODO/ { show = 1; n = 0; print "        " $0; next }
			show && /^#/ && n < 30 { print "        " $0; n++; next }
			{ show = 0 }' "$log"
		if [[ -n $extra ]]; then
			echo "        last lines of the output:"
			tail -n 15 "$log" | sed 's/^/        | /'
		fi
		echo "        full output: $log"
	else
		printf '  ok    %-36s %s (%ss)\n' "$name" "$summary" "$secs"
	fi
done

echo "$passed passed, $failed failed"
((failed == 0))
