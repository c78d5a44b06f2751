# shellcheck shell=bash
# Shared by the end-to-end tests: TAP output and a fresh harness per test.
#
#   source "$(dirname "$0")/lib.sh"
#   e2e_up                       # own harness (own prefix), torn down on exit
#                                # (EF_E2E_PREFIX=stem: names start with the stem)
#   check "description" CMD...   # ok N / not ok N, by CMD's exit status
#   ok "description" / not_ok "description" [diagnostic]
#   within SECONDS CMD...        CMD succeeds within SECONDS (prints the time)
#   e2e_done                     # plan line, exit status = any failure
# Diagnostics go to stdout as "# ..." lines (TAP comments).

E2E_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$E2E_DIR/../.." && pwd)
SCRIPTS=$REPO/scripts
# shellcheck source=scripts/harness.sh
source "$SCRIPTS/harness.sh"

TAP_N=0
TAP_FAILED=0

diag() {
	local line
	while IFS= read -r line; do
		printf '# %s\n' "$line"
	done <<<"$*"
}

ok() {
	TAP_N=$((TAP_N + 1))
	echo "ok $TAP_N - $1"
}

not_ok() {
	TAP_N=$((TAP_N + 1))
	TAP_FAILED=$((TAP_FAILED + 1))
	echo "not ok $TAP_N - $1"
	if [[ -n ${2:-} ]]; then
		diag "$2"
	fi
}

# check DESCRIPTION CMD...: one assertion by exit status; output shown on failure.
check() {
	local desc=$1 out
	shift
	if out=$("$@" 2>&1); then
		ok "$desc"
	else
		not_ok "$desc" "$(printf '%s\n(command: %s)' "$out" "$*")"
	fi
}

# within SECONDS CMD...: CMD (output dropped) succeeds within SECONDS, tried
# every 100 ms; prints the whole seconds it took. Non-zero on timeout.
within() {
	local limit=$1 start=$SECONDS i
	shift
	for ((i = 0; i < limit * 10; i++)); do
		if "$@" >/dev/null 2>&1; then
			echo "$((SECONDS - start))"
			return 0
		fi
		sleep 0.1
	done
	return 1
}

e2e_done() {
	echo "1..$TAP_N"
	((TAP_FAILED == 0))
}

# e2e_up: a fresh harness for this test; on failure, one "not ok" and exit.
e2e_up() {
	local log
	if ((EUID != 0)); then
		not_ok "harness up" "needs root"
		e2e_done
		exit 1
	fi
	unset EF_PREFIX # always a fresh harness of our own
	# EF_E2E_PREFIX: a stem of one's own for the namespace names (e.g. "efo")
	if [[ -n ${EF_E2E_PREFIX:-} ]]; then
		EF_PREFIX=$(printf '%s%d%04x' "$EF_E2E_PREFIX" "$$" "$((RANDOM % 65536))")
	fi
	ef_harness_init_names
	if [[ ! -x $EVENFLOW ]]; then
		not_ok "harness up" "no $EVENFLOW (run make)"
		e2e_done
		exit 1
	fi
	log=$(mktemp)
	if EF_QUIET=1 ef_harness_up >"$log" 2>&1; then
		rm -f "$log"
		return 0
	fi
	not_ok "harness up" "$(cat "$log")"
	rm -f "$log"
	e2e_done
	exit 1
}

# httpload ARGS...: scripts/httpload.py from the client; JSON on stdout.
httpload() {
	ef_client "$(ef_python)" "$SCRIPTS/httpload.py" "$@"
}

# e2e_vip VIP BACKEND-ADDR...: a VIP with equal-weight backends.
e2e_vip() {
	local vip=$1 be
	shift
	ef_lb vip add "$vip" || return
	for be in "$@"; do
		ef_lb backend add "$vip" "$be" || return
	done
}

# each_backend_served HTTPLOAD-JSON [N]: one assertion per backend 1..N (3):
# it answered some of the requests.
each_backend_served() {
	local res=$1 i count
	for ((i = 1; i <= ${2:-3}; i++)); do
		count=$(jq -r --arg b "$(ef_backend_name "$i")" '.by_body[$b] // 0' <<<"$res")
		if ((count > 0)); then
			ok "backend$i served some ($count)"
		else
			not_ok "backend$i served some" "$res"
		fi
	done
}

# drops_zero STATS-JSON: every drop_* verdict counter is zero.
drops_zero() {
	jq -e '[.verdicts | to_entries[] | select(.key | startswith("drop_")) | .value] | add == 0' \
		<<<"$1" >/dev/null
}
