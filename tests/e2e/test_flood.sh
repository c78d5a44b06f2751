#!/bin/bash
# Story (issue 15): a spoofed flood does not break established connections.
# 50 long-lived TCP streams run through the LB while the generator
# (tests/bench/e2e/gen.c: BPF_PROG_RUN live frames, one CPU, as fast as it
# goes) sends 20 s of SYNs from 2^20 random sources, then 20 s of ACKs; a
# backend is added during the first flood and weights change during both.
# Every stream must complete: none reset or ended early, and none waiting 30 s
# for data (the flood offers more frames than one CPU forwards, so the
# streams' own packets are dropped with it at the device's queue, and a
# stream stalls for a few seconds while TCP retransmits; the longest stall is
# printed). The flood fills the connection table with
# one-packet entries that the flood guard may evict, never an established
# flow's; the story prints the table's fill, the evictions and the flows
# forwarded without an entry, and the generator's rate. With FLOOD_S (20)
# seconds per flood.
set -uo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "$0")/lib.sh"

VIP=10.0.0.10:80/tcp
STREAMS=50
FLOOD_S=${FLOOD_S:-20}
GEN=$BUILD/tests/gen
B1=$(ef_backend_ip4 1) B2=$(ef_backend_ip4 2) B3=$(ef_backend_ip4 3)
e2e_up
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"; ef_harness_down' EXIT

check "VIP with backends 1 and 2" e2e_vip "$VIP" "$B1" "$B2"
check "attach" ef_lb_attach
if [[ ! -x $GEN ]]; then
	not_ok "the generator is built" "no $GEN (make test builds it)"
	e2e_done
	exit 1
fi
lb_mac=$(ip -n "$EF_NS_LB" -j link show "$EF_LB_CLIENT_DEV" | jq -r '.[0].address')
cpu=$(($(nproc) - 1))

# flood KIND LABEL: FLOOD_S seconds of KIND (syn|ack) from 2^20 sources and
# 50000 ports; its JSON line in $tmp/LABEL.json.
flood() {
	ef_client "$GEN" --dev "$EF_CLIENT_DEV" --dst-mac "$lb_mac" --src-ip 172.16.0.0 \
		--src-span 1048576 --flows 50000 --dst-ip 10.0.0.10 --dport 80 --tcp "$1" \
		--duration "$FLOOD_S" --cpu "$cpu" >"$tmp/$2.json" 2>"$tmp/$2.err"
}
ct() { ef_lb -j stats | jq -c '.conntrack'; }

ef_client "$(ef_python)" "$SCRIPTS/streamload.py" http://10.0.0.10/ -n "$STREAMS" \
	--seconds $((2 * FLOOD_S + 15)) --interval 0.5 --stall 30 >"$tmp/streams.json" &
streams=$!
sleep 3

# ---- SYN flood, a backend added and a weight changed during it ----
flood syn syn &
gen=$!
sleep $((FLOOD_S / 4))
check "during the SYN flood: backend3 added" ef_lb backend add "$VIP" "$B3"
sleep $((FLOOD_S / 4))
check "during the SYN flood: backend1's weight set to 2" ef_lb backend set "$VIP" "$B1" --weight 2
if wait "$gen"; then
	ok "SYN flood: $(jq -r '"\(.sent) SYNs in \(.seconds) s, \(.pps | floor) per second"' "$tmp/syn.json")"
else
	not_ok "SYN flood sent" "$(cat "$tmp/syn.err")"
fi
diag "after the SYN flood: $(ct)"

# ---- ACK flood, two more weight changes ----
flood ack ack &
gen=$!
sleep $((FLOOD_S / 4))
check "during the ACK flood: backend2's weight set to 2" ef_lb backend set "$VIP" "$B2" --weight 2
sleep $((FLOOD_S / 4))
check "during the ACK flood: backend3's weight set to 2" ef_lb backend set "$VIP" "$B3" --weight 2
if wait "$gen"; then
	ok "ACK flood: $(jq -r '"\(.sent) ACKs in \(.seconds) s, \(.pps | floor) per second"' "$tmp/ack.json")"
else
	not_ok "ACK flood sent" "$(cat "$tmp/ack.err")"
fi
diag "after the ACK flood: $(ct)"

wait "$streams"
res=$(jq -c '{by_outcome, max_gap_s, backends: ([.connections[].backend] | group_by(.) |
	map({(.[0]): length}) | add)}' "$tmp/streams.json")
diag "streams: $res"
if jq -e --argjson n "$STREAMS" '.by_outcome.complete == $n' "$tmp/streams.json" >/dev/null; then
	ok "all $STREAMS streams complete through both floods and four changes (0 broken)"
else
	not_ok "all $STREAMS streams complete through both floods and four changes" \
		"$res $(jq -c '[.connections[] | select(.outcome != "complete")] | .[:10]' "$tmp/streams.json")"
fi
ctj=$(ct)
if jq -e '.used > 0 and .ct_inserts > 0' <<<"$ctj" >/dev/null; then
	ok "the table took the flood: $ctj"
else
	not_ok "the table took the flood" "$ctj"
fi
e2e_done
