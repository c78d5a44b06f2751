#!/bin/bash
# Story (issue 15): one spoofed packet with a live connection's 5-tuple does
# not break it. 8 long-lived streams; a weight change (one backend 100 times
# heavier, --force) moves most of their table slots to that backend while
# their entries hold them on their own. Then, for each stream, a RST and a
# SYN with its addresses and ports (sequence number 1, outside its window, as
# a blind attacker's would be) go through the LB, and another weight change
# follows. The LB keeps every stream on its backend (lookup: by its entry)
# and they all complete. Before issue 15's connection-table rules, the RST
# deleted the entry and the SYN pinned the flow to the table's current slot:
# each moved stream broke.
set -uo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "$0")/lib.sh"

VIP=10.0.0.10:80/tcp
STREAMS=8
B1=$(ef_backend_ip4 1) B2=$(ef_backend_ip4 2) B3=$(ef_backend_ip4 3)
e2e_up
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"; ef_harness_down' EXIT

check "VIP with three backends" e2e_vip "$VIP" "$B1" "$B2" "$B3"
check "attach" ef_lb_attach

# spoof FLAGS SPORT...: one TCP segment with FLAGS (R or S) from the client's
# address and each SPORT to the VIP's port 80, sequence number 1 (outside
# the connection's window), through a raw socket.
spoof() {
	ef_client "$(ef_python)" - "$@" <<'PY'
import socket, struct, sys

flags = {"R": 0x04, "S": 0x02}[sys.argv[1]]
src, dst = socket.inet_aton("10.100.0.2"), socket.inet_aton("10.0.0.10")
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_TCP)
for sport in map(int, sys.argv[2:]):
    tcp = struct.pack("!HHIIBBHHH", sport, 80, 1, 0, 5 << 4, flags, 1024, 0, 0)
    pseudo = src + dst + struct.pack("!BBH", 0, socket.IPPROTO_TCP, len(tcp))
    data = pseudo + tcp
    csum = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    csum = (csum & 0xffff) + (csum >> 16)
    csum = ~((csum & 0xffff) + (csum >> 16)) & 0xffff
    s.sendto(tcp[:16] + struct.pack("!H", csum) + tcp[18:], ("10.0.0.10", 0))
PY
}
# chosen SPORT: lookup's backend for the client's flow from SPORT and why.
chosen() {
	ef_lb -j lookup "$VIP" "$EF_CLIENT_IP4:$1" |
		jq -r '"\(.chosen.backend) \(.chosen.by) \(.conntrack.state)"'
}

ef_client "$(ef_python)" "$SCRIPTS/streamload.py" http://10.0.0.10/ -n "$STREAMS" --seconds 15 \
	--interval 0.2 >"$tmp/streams.json" &
streams=$!
sleep 2
mapfile -t sports < <(ef_client ss -Htn state established dst 10.0.0.10 dport = :80 |
	awk '{n = split($3, a, ":"); print a[n]}')
if ((${#sports[@]} == STREAMS)); then
	ok "$STREAMS streams established (client ports ${sports[*]})"
else
	not_ok "$STREAMS streams established" "${sports[*]}"
fi
declare -A before
for p in "${sports[@]}"; do before[$p]=$(chosen "$p" | cut -d' ' -f1); done
# the backend with the fewest streams gets most of the slots
heavy=$(for b in "$B1" "$B2" "$B3"; do
	echo "$(printf '%s\n' "${before[@]}" | grep -cx "$b") $b"
done | sort -n | head -1 | cut -d' ' -f2)
check "weight change: $heavy 100 times heavier" ef_lb backend set "$VIP" "$heavy" --weight 100 --force
moved=()
for p in "${sports[@]}"; do
	t=$(ef_lb -j lookup "$VIP" "$EF_CLIENT_IP4:$p" | jq -r '.backend')
	[[ $t != "${before[$p]}" ]] && moved+=("$p")
done
if ((${#moved[@]} >= 3)); then
	ok "${#moved[@]} of $STREAMS streams' table slots moved, their entries hold them"
else
	not_ok "at least 3 streams' table slots moved" "${#moved[@]}: ${moved[*]}"
fi

check "a spoofed RST for each stream sent" spoof R "${sports[@]}"
check "a spoofed SYN for each stream sent" spoof S "${sports[@]}"
sleep 0.5
bad=""
for p in "${sports[@]}"; do
	read -r be by state <<<"$(chosen "$p")"
	[[ $be == "${before[$p]}" && $by == conntrack ]] || bad+="$p: $be by $by ($state); "
done
if [[ -z $bad ]]; then
	ok "after the RST and the SYN every stream keeps its backend, by its entry"
else
	not_ok "after the RST and the SYN every stream keeps its backend, by its entry" "$bad"
fi
check "another weight change" ef_lb backend set "$VIP" "$heavy" --weight 50 --force

wait "$streams"
res=$(jq -c '{by_outcome, max_gap_s}' "$tmp/streams.json")
if jq -e --argjson n "$STREAMS" '.by_outcome.complete == $n' "$tmp/streams.json" >/dev/null; then
	ok "all $STREAMS streams complete: $res"
else
	not_ok "all $STREAMS streams complete" \
		"$res $(jq -c '[.connections[] | select(.outcome != "complete")]' "$tmp/streams.json")"
fi
e2e_done
