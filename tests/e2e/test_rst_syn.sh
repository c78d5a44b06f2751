#!/bin/bash
# Story (issue 15): one spoofed packet with a live connection's addresses
# must not break it. Under 50 long-lived TCP streams: a spoofed RST for each
# (which used to delete its entry), a backend added, a spoofed SYN for each
# (which used to pin it to the current table), a weight changed. Every stream
# completes: a RST only starts a grace that the stream's next packet outlives,
# and a SYN of a live flow whose backend is up leaves it where it is. (The
# backends ignore the spoofed segments: their sequence numbers are random.)
set -uo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "$0")/lib.sh"

VIP=10.0.0.10:80/tcp
STREAMS=50
export EF_BACKENDS=4
e2e_up
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"; ef_harness_down' EXIT
check "VIP with three backends" e2e_vip "$VIP" "$(ef_backend_ip4 1)" "$(ef_backend_ip4 2)" \
	"$(ef_backend_ip4 3)"
check "attach" ef_lb_attach

ef_client "$(ef_python)" "$SCRIPTS/streamload.py" http://10.0.0.10/ -n "$STREAMS" --seconds 16 \
	--interval 0.3 >"$tmp/streams.json" &
streams=$!
sleep 3
mapfile -t ports < <(ef_client ss -tnH state established dst 10.0.0.10 |
	awk '{split($3, a, ":"); print a[2]}')
if ((${#ports[@]} == STREAMS)); then
	ok "the $STREAMS streams are up"
else
	not_ok "the $STREAMS streams are up" "${#ports[@]} established"
fi
# spoof FLAGS: one segment per stream with its addresses
spoof() {
	ef_client "$(ef_python)" "$SCRIPTS/tcpspoof.py" "$1" "$EF_CLIENT_IP4" 10.0.0.10 80 \
		"${ports[@]}" >/dev/null
}
check "a spoofed RST for each stream" spoof RA
sleep 1
check "a backend added" ef_lb backend add "$VIP" "$(ef_backend_ip4 4)"
sleep 1
check "a spoofed SYN for each stream" spoof S
sleep 1
check "a weight changed" ef_lb backend set "$VIP" "$(ef_backend_ip4 1)" --weight 3
wait "$streams"
res=$(cat "$tmp/streams.json")
if jq -e --argjson n "$STREAMS" '.by_outcome.complete == $n' <<<"$res" >/dev/null; then
	ok "all $STREAMS streams complete"
else
	not_ok "all $STREAMS streams complete" "$(jq -c .by_outcome <<<"$res")"
fi
e2e_done
