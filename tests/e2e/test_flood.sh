#!/bin/bash
# Story (issue 15): a spoofed flood must not break established connections.
# 50 long-lived TCP streams run through a VIP while the bench's live-frames
# generator (BPF_PROG_RUN, pinned to one CPU, at its top rate) sends a TCP
# SYN flood from random sources (16 random bits of address and a random
# port: every frame a new flow) for 20 s; during it a backend is added and
# another's weight changed, which moves table slots. No stream breaks (reset
# by a backend that never had it, or ended early): new flows (one packet
# each) never evict the streams' established entries. The same with an ACK
# flood. Prints the generator's rate and the connection table's fill and
# events. A stream may stall while the flood saturates the generator's CPU
# (the veth ring drops the streams' packets with the flood's, TCP backs
# off): a wait for data counts as a timeout only past 30 s, and a timeout is
# printed, not a break; the longest wait is printed too.
set -uo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "$0")/lib.sh"

VIP=10.0.0.10:80/tcp
STREAMS=50
FLOOD_S=20
GEN=$REPO/${BUILD:-build}/tests/gen
export EF_BACKENDS=4
e2e_up
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"; ef_harness_down' EXIT
if [[ ! -x $GEN ]]; then
	not_ok "the generator is built" "no $GEN (make test builds it)"
	e2e_done
	exit 1
fi
check "VIP with three backends" e2e_vip "$VIP" "$(ef_backend_ip4 1)" "$(ef_backend_ip4 2)" \
	"$(ef_backend_ip4 3)"
check "attach" ef_lb_attach
lb_mac=$(ip -n "$EF_NS_LB" -j link show "$EF_LB_CLIENT_DEV" | jq -r '.[0].address')
cpu=$(($(nproc) - 1))

# flood NAME FLAGS: one round; its figures as diagnostics.
flood() {
	local name=$1 flags=$2 streams gen res st
	ef_client "$(ef_python)" "$SCRIPTS/streamload.py" http://10.0.0.10/ -n "$STREAMS" \
		--seconds $((FLOOD_S + 10)) --interval 0.5 --stall 30 >"$tmp/streams.json" &
	streams=$!
	sleep 3
	ef_client "$GEN" --dev "$EF_CLIENT_DEV" --dst-mac "$lb_mac" --src-ip "$EF_CLIENT_IP4" \
		--dst-ip 10.0.0.10 --dport 80 --tcp-flags "$flags" --spoof-bits 16 \
		--duration "$FLOOD_S" --cpu "$cpu" >"$tmp/gen.json" 2>&1 &
	gen=$!
	sleep 5
	check "$name flood: a backend added during it" ef_lb backend add "$VIP" "$(ef_backend_ip4 4)"
	sleep 6
	check "$name flood: a weight changed during it" \
		ef_lb backend set "$VIP" "$(ef_backend_ip4 1)" --weight 3
	wait "$gen"
	wait "$streams"
	res=$(cat "$tmp/streams.json")
	st=$(ef_lb -j stats)
	diag "$name flood: generator $(cat "$tmp/gen.json")"
	diag "$name flood: connection table $(jq -c .conntrack <<<"$st")"
	diag "$name flood: streams $(jq -c '{by_outcome, max_gap_s}' <<<"$res")"
	if jq -e '(.by_outcome.reset // 0) + (.by_outcome.eof // 0) + (.by_outcome.failed // 0) == 0
		and (.by_outcome.complete // 0) > 0' <<<"$res" >/dev/null; then
		ok "$name flood: 0 of $STREAMS streams broken ($(jq -c '{by_outcome, max_gap_s}' <<<"$res"))"
	else
		not_ok "$name flood: 0 of $STREAMS streams broken" "$(jq -c .by_outcome <<<"$res")"
	fi
	if jq -e '.sent > 1000000' "$tmp/gen.json" >/dev/null; then
		ok "$name flood: more than 1M spoofed segments sent"
	else
		not_ok "$name flood: more than 1M spoofed segments sent" "$(cat "$tmp/gen.json")"
	fi
	check "$name flood: back to three backends" ef_lb backend del "$VIP" "$(ef_backend_ip4 4)" \
		--force
	check "$name flood: weight back" ef_lb backend set "$VIP" "$(ef_backend_ip4 1)" --weight 1 \
		--force
}
flood SYN 2
flood ACK 16
e2e_done
