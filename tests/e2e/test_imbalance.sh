#!/bin/bash
# Story: the seed outage, replayed. Traffic spreads over three equal backends
# and `evenflow check` passes. Then the VIP's Maglev table is overwritten
# behind the CLI's back (bpftool, every slot -> backend 2): within 15 s of
# traffic `evenflow check` fails naming backend 2, `evenflow stats` marks it,
# and /metrics shows its imbalance gauge at 1. Re-setting the backend's
# weight through the CLI rebuilds the table and clears all three.
# Every /metrics scrape passes `promtool check metrics`.
set -uo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "$0")/lib.sh"

VIP=10.0.0.10:80/tcp
BAD=$(ef_backend_ip4 2)
PORT=9632
TMP=$(mktemp -d)
LOADS=()

e2e_up
# The harness's trap tears the namespaces down (and the processes started in
# them); the scratch directory goes too.
trap 'ef_harness_down; rm -rf "$TMP"' EXIT

# load SECONDS: new connections at 150/s in the background, bounded.
load() {
	local n=$(($1 * 150))
	httpload http://10.0.0.10/ -n "$n" -c 8 --rate 150 --timeout 3 --max-time "$1" \
		>"$TMP/load.$RANDOM" 2>&1 &
	LOADS+=($!)
}
wait_loads() {
	local p
	for p in "${LOADS[@]}"; do
		wait "$p" 2>/dev/null
	done
	LOADS=()
}
scrape() {
	ef_lb_exec curl -sf --max-time 5 "http://127.0.0.1:$PORT/metrics"
}
# gauge NAME BACKEND: the value of NAME{...,backend="BACKEND"} in a scrape.
gauge() {
	scrape | awk -v n="$1" -v b="backend=\"$2\"" 'index($0, n "{") == 1 && index($0, b) { print $NF }'
}
promtool_ok() {
	local out
	out=$(scrape) || return 1
	[[ -n $out ]] && promtool check metrics <<<"$out"
}

check "VIP with three equal backends" \
	e2e_vip "$VIP" "$(ef_backend_ip4 1)" "$(ef_backend_ip4 2)" "$(ef_backend_ip4 3)"
check "attach" ef_lb_attach

# Not through the ef_lb function: $! must be evenflow itself (ip netns exec execs it).
ip netns exec "$EF_NS_LB" "$EVENFLOW" --pin-dir "$(ef_pin_dir_of lb)" \
	metrics --listen "127.0.0.1:$PORT" >"$TMP/metrics.log" 2>&1 &
METRICS=$!
for _ in $(seq 50); do
	scrape >/dev/null 2>&1 && break
	sleep 0.1
done
check "metrics: /metrics answers and passes promtool check metrics" promtool_ok

# ---- balanced ----
load 8
sleep 1
out=$(ef_lb check --window 5 2>&1)
rc=$?
if ((rc == 0)) && grep -q "no VIP is imbalanced" <<<"$out"; then
	ok "balanced traffic: evenflow check passes and says so"
else
	not_ok "balanced traffic: evenflow check passes and says so" "rc $rc"$'\n'"$out"
fi
wait_loads

# ---- the bad write: every slot of the live table -> backend 2 ----
show=$(ef_lb -j vip show "$VIP")
map_id=$(jq -r '.vip.table_map_id' <<<"$show")
size=$(jq -r '.vip.table_size' <<<"$show")
bad_id=$(jq -r --arg a "$BAD" '.vip.backends[] | select(.addr == $a) | .id' <<<"$show")
if [[ $map_id =~ ^[1-9][0-9]*$ && $size =~ ^[1-9][0-9]*$ && $bad_id =~ ^[0-9]+$ ]]; then
	ok "vip show -j gives the live table's map id ($map_id, $size slots)"
else
	not_ok "vip show -j gives the live table's map id" "$show"
fi
# slot 0 holds the size; slots 1..size the backend ids (little-endian u32)
awk -v id="$map_id" -v m="$size" -v b="$bad_id" 'BEGIN {
	v = sprintf("%02x %02x %02x %02x", b % 256, int(b / 256) % 256, int(b / 65536) % 256, 0)
	for (i = 1; i <= m; i++)
		printf "map update id %d key hex %02x %02x %02x %02x value hex %s\n", id,
			i % 256, int(i / 256) % 256, int(i / 65536) % 256, 0, v
}' >"$TMP/batch"
check "bpftool overwrites every slot with backend $BAD" bpftool batch file "$TMP/batch"
share=$(ef_lb -j vip show "$VIP" | jq -r --arg a "$BAD" '.vip.backends[] | select(.addr == $a) | .share')
if [[ $share == 1 ]]; then
	ok "the table now sends every new flow to $BAD"
else
	not_ok "the table now sends every new flow to $BAD" "share $share"
fi

load 15
start=$(date +%s)
sleep 1
out=$(ef_lb check --window 5 2>&1)
rc=$?
took=$(($(date +%s) - start))
want="evenflow: vip $VIP: backend $BAD takes 100% of new flows, expected 33%"
if ((rc == 1)) && grep -qF "$want" <<<"$out" && ((took <= 15)); then
	ok "evenflow check fails naming $BAD within 15 s ($took s)"
else
	not_ok "evenflow check fails naming $BAD within 15 s" "rc $rc after $took s"$'\n'"$out"
fi
json=$(ef_lb -j check --window 3 2>/dev/null)
if jq -e --arg a "$BAD" '.imbalanced and (.error | contains($a)) and
	([.vips[].backends[] | select(.imbalanced) | .addr] == [$a])' <<<"$json" >/dev/null; then
	ok "check -j: the report flags only $BAD and carries the error"
else
	not_ok "check -j: the report flags only $BAD and carries the error" "$json"
fi
txt=$(ef_lb stats --interval 1 --count 2)
if grep -E "^ +$BAD .*! imbalanced" <<<"$txt" >/dev/null &&
	! grep -vE "^ +$BAD " <<<"$txt" | grep -q "imbalanced"; then
	ok "stats --interval marks $BAD, and only it"
else
	not_ok "stats --interval marks $BAD, and only it" "$txt"
fi
lines=$(ef_lb -j stats --interval 1 --count 2)
if (($(wc -l <<<"$lines") == 2)) && tail -n1 <<<"$lines" | jq -e --arg a "$BAD" \
	'[.vips[].backends[] | select(.imbalanced) | .addr] == [$a] and
	 ([.vips[].backends[] | select(.addr == $a) | .share] | .[0] > 0.99)' >/dev/null; then
	ok "stats -j --interval: one JSON line per interval, $BAD flagged"
else
	not_ok "stats -j --interval: one JSON line per interval, $BAD flagged" "$lines"
fi
g=""
for _ in $(seq 15); do
	g=$(gauge evenflow_backend_imbalanced "$BAD")
	[[ $g == 1 ]] && break
	sleep 1
done
if [[ $g == 1 ]] && [[ $(gauge evenflow_backend_imbalanced "$(ef_backend_ip4 1)") == 0 ]]; then
	ok "/metrics: imbalance gauge of $BAD at 1, of the others at 0"
else
	not_ok "/metrics: imbalance gauge of $BAD at 1" "$(scrape | grep -E 'imbalanced|share')"
fi
check "metrics still pass promtool check metrics" promtool_ok
wait_loads

# ---- restore through the CLI (rebuilds the table) ----
check "backend set --weight 1 rebuilds the table" ef_lb backend set "$VIP" "$BAD" --weight 1
share=$(ef_lb -j vip show "$VIP" | jq -r --arg a "$BAD" '.vip.backends[] | select(.addr == $a) | .share')
if awk -v s="$share" 'BEGIN { exit !(s > 0.30 && s < 0.37) }'; then
	ok "the table is even again ($share of the slots for $BAD)"
else
	not_ok "the table is even again" "share $share"
fi
load 16
sleep 1
out=$(ef_lb check --window 5 2>&1)
rc=$?
if ((rc == 0)); then
	ok "after the restore, evenflow check passes again"
else
	not_ok "after the restore, evenflow check passes again" "$out"
fi
g=""
for _ in $(seq 15); do
	g=$(gauge evenflow_backend_imbalanced "$BAD")
	[[ $g == 0 ]] && break
	sleep 1
done
if [[ $g == 0 ]]; then
	ok "/metrics: the imbalance gauge of $BAD is back at 0"
else
	not_ok "/metrics: the imbalance gauge of $BAD is back at 0" "$(scrape | grep -E 'imbalanced|share')"
fi
wait_loads

# The exporter kept serving through the changes; it stops on SIGTERM.
kill -TERM "$METRICS" 2>/dev/null
if wait "$METRICS"; then
	ok "metrics exits cleanly on SIGTERM"
else
	not_ok "metrics exits cleanly on SIGTERM" "$(cat "$TMP/metrics.log")"
fi
e2e_done
