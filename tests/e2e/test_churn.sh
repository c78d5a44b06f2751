#!/bin/bash
# Story (issue 3): under load, the backends of a VIP change 100 times in 30 s
# (adds, removals, weights, drain, down/up) while 200 long-lived TCP
# connections stream data and new connections open at a steady 40/s.
# Backends 1 and 2 are never removed nor set down (their weights change and
# they drain and come back), so their connections must all survive; 3, 4 and
# 5 take every kind of change.
#
# Expected: no established connection breaks unless its backend was removed
# or set down during the run (those are counted apart); no new connection
# fails, except one whose backend was removed or set down while it was
# opening (counted apart: reset, and the backend that accepted it, or any
# backend if none did, was removed or set down within a second of its start);
# no data-plane drop; every CLI change succeeds. EF_CHURN_SEED replays a run.
set -uo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "$0")/lib.sh"

VIP=10.0.0.10:80/tcp
SEED=${EF_CHURN_SEED:-$((RANDOM * 32768 + RANDOM))}
CHANGES=100
STREAMS=200
STREAM_S=40
export EF_BACKENDS=5

e2e_up
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"; ef_harness_down' EXIT
diag "seed $SEED"
RANDOM=$SEED

# Backends 1..3 in the VIP at first; 4 and 5 come and go.
declare -A member state
for i in 1 2 3 4 5; do member[$i]=0; done
for i in 1 2 3; do
	member[$i]=1
	state[$i]=up
done
check "VIP with backends 1-3" e2e_vip "$VIP" "$(ef_backend_ip4 1)" "$(ef_backend_ip4 2)" \
	"$(ef_backend_ip4 3)"
check "attach" ef_lb_attach
before=$(ef_lb -j stats)

ef_client "$(ef_python)" "$SCRIPTS/streamload.py" http://10.0.0.10/ -n "$STREAMS" \
	--seconds "$STREAM_S" --interval 0.2 >"$tmp/streams.json" &
streams_pid=$!
sleep 3
httpload http://10.0.0.10/ -n 1400 -c 32 --rate 40 --max-time 34 --timeout 5 --details \
	>"$tmp/new.json" &
new_pid=$!

# The changes. `churned` backends were removed or set down at some point;
# each such change's time goes to churn_times.
members() {
	local i
	for i in 1 2 3 4 5; do ((member[$i])) && echo "$i"; done
}
ups() {
	local i
	for i in $(members); do [[ ${state[$i]} == up ]] && echo "$i"; done
}
pick() { # pick WORDS...: one at random
	local a=("$@")
	echo "${a[RANDOM % ${#a[@]}]}"
}
declare -A churned
changes_ok=0 changes_failed=0 kinds=""
churn_log() { # churn_log I: backend I is about to be removed or set down
	churned[$1]=1
	echo "$(date +%s.%N) $(ef_backend_name "$1")" >>"$tmp/churn_times"
}
apply() { # apply DESCRIPTION EVENFLOW-ARGS...
	local desc=$1 out
	shift
	# --force: the story is about flows surviving any change, not the
	# safety check (test_safety_* is)
	if out=$(ef_lb "$@" --force 2>&1); then
		changes_ok=$((changes_ok + 1))
		kinds+="$desc "
	else
		changes_failed=$((changes_failed + 1))
		diag "change failed: evenflow $* -> $out"
	fi
}
for ((k = 0; k < CHANGES; k++)); do
	sleep 0.3
	up=($(ups))
	up_other=()
	for i in "${up[@]}"; do ((i > 2)) && up_other+=("$i"); done
	outside=()
	for i in 1 2 3 4 5; do ((member[$i])) || outside+=("$i"); done
	not_up=()
	for i in $(members); do [[ ${state[$i]} != up ]] && not_up+=("$i"); done
	case $((RANDOM % 6)) in
	0) # add
		((${#outside[@]})) || { k=$((k - 1)) && continue; }
		i=$(pick "${outside[@]}")
		apply add backend add "$VIP" "$(ef_backend_ip4 "$i")" --weight $((1 + RANDOM % 4))
		member[$i]=1 state[$i]=up
		;;
	1) # remove one of 3-5 (keeping two up)
		((${#up[@]} > 2 && ${#up_other[@]})) || { k=$((k - 1)) && continue; }
		i=$(pick "${up_other[@]}")
		churn_log "$i"
		apply del backend del "$VIP" "$(ef_backend_ip4 "$i")"
		member[$i]=0
		;;
	2) # weight
		i=$(pick $(members))
		apply weight backend set "$VIP" "$(ef_backend_ip4 "$i")" --weight $((1 + RANDOM % 8))
		;;
	3) # drain (keeping two up)
		((${#up[@]} > 2)) || { k=$((k - 1)) && continue; }
		i=$(pick "${up[@]}")
		apply drain backend set "$VIP" "$(ef_backend_ip4 "$i")" --state drain
		state[$i]=drain
		;;
	4) # down, one of 3-5 (keeping two up)
		((${#up[@]} > 2 && ${#up_other[@]})) || { k=$((k - 1)) && continue; }
		i=$(pick "${up_other[@]}")
		churn_log "$i"
		apply down backend set "$VIP" "$(ef_backend_ip4 "$i")" --state down
		state[$i]=down
		;;
	5) # up again
		((${#not_up[@]})) || { k=$((k - 1)) && continue; }
		i=$(pick "${not_up[@]}")
		apply up backend set "$VIP" "$(ef_backend_ip4 "$i")" --state up
		state[$i]=up
		;;
	esac
done
after_changes=$(ef_lb -j stats)
wait "$new_pid"
wait "$streams_pid"

if ((changes_ok == CHANGES && changes_failed == 0)); then
	ok "$CHANGES changes made through the CLI, none failed"
else
	not_ok "$CHANGES changes made through the CLI, none failed" "$changes_ok ok, $changes_failed failed"
fi
diag "changes: $(tr ' ' '\n' <<<"$kinds" | grep . | sort | uniq -c | tr -s ' \n' ' ')"
diag "removed or set down at some point: backend ${!churned[*]}"

# Established connections: a break counts only on a backend never removed
# nor set down.
churned_names=$(for i in "${!churned[@]}"; do echo "\"$(ef_backend_name "$i")\""; done |
	paste -sd, -)
res=$(jq -c --argjson churned "[${churned_names}]" '
	.connections as $c |
	{complete: [$c[] | select(.outcome == "complete")] | length,
	 broken_on_churned: [$c[] | select(.outcome != "complete" and
		(.backend as $b | $churned | index($b)))] | length,
	 broken_elsewhere: [$c[] | select(.outcome != "complete" and
		(.backend as $b | ($churned | index($b)) | not))] | length,
	 backends: ([$c[] | .backend] | group_by(.) | map({(.[0]): length}) | add)}' \
	"$tmp/streams.json")
diag "long-lived connections: $res"
if jq -e --argjson n "$STREAMS" '.broken_elsewhere == 0 and .complete > 0 and
	(.complete + .broken_on_churned) == $n' <<<"$res" >/dev/null; then
	ok "no established connection broke except on removed or down backends"
else
	not_ok "no established connection broke except on removed or down backends" \
		"$(jq -c '[.connections[] | select(.outcome != "complete")] | .[:10]' \
			"$tmp/streams.json")"
fi

# New connections: a failure is excused only if it was reset and the backend
# that accepted it (any backend, when none did) was removed or set down
# within a second of its start: "accepted" maps each client port to the
# backend that logged it, "changes" lists [time, backend].
for f in "$EF_RUN"/backend*.conns; do
	[[ -e $f ]] && awk -v b="$(basename "$f" .conns)" '{print $2, b}' "$f"
done | sort -u >"$tmp/accepted"
touch "$tmp/churn_times"
judged=$(jq -c --rawfile acc "$tmp/accepted" --rawfile ch "$tmp/churn_times" '
	($acc | split("\n") | map(select(length > 0) | split(" ") | {(.[0]): .[1]}) | add // {})
		as $accepted |
	($ch | split("\n") | map(select(length > 0) | split(" ") | [(.[0] | tonumber), .[1]]))
		as $changes |
	[.details[] | select(.ok | not) |
	 (if .sport > 0 then $accepted[.sport | tostring] else null end) as $by |
	 (.t as $t | [$changes[] | select(.[0] > $t - 1 and .[0] < $t + 1 and
		($by == null or .[1] == $by))]) as $near |
	 . + {accepted_by: $by, changes_near: $near,
	      excused: (.error == "ECONNRESET" and ($near | length) > 0)}]' "$tmp/new.json")
res=$(jq -c --argjson j "$judged" '{ok: .ok, failed: ($j | length),
	excused: ([$j[] | select(.excused)] | length), errors: .errors}' "$tmp/new.json")
diag "new connections: $res"
if jq -e '.failed - .excused == 0 and .ok > 1000' <<<"$res" >/dev/null; then
	ok "no new connection failed (but for those whose backend was removed or set down)"
else
	not_ok "no new connection failed (but for those whose backend was removed or set down)" \
		"$(jq -c '[.[] | select(.excused | not)] | .[:10]' <<<"$judged")"
fi

# The data plane dropped no VIP packet during the changes.
drops() { jq '[.verdicts | to_entries[] | select(.key | startswith("drop_")) | .value] | add'; }
d0=$(drops <<<"$before")
d1=$(drops <<<"$after_changes")
if ((d1 == d0)); then
	ok "no packet dropped by the data plane during the changes"
else
	not_ok "no packet dropped by the data plane during the changes" \
		"$(jq -c .verdicts <<<"$after_changes")"
fi
e2e_done
