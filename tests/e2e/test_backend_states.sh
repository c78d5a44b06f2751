#!/bin/bash
# Story (issue 3): backend states and consistent tables.
#  - `backend set --state down`: from the next packet on, no new flow goes
#    there: `lookup` says so for every client port, and real traffic agrees.
#  - `--state drain`: connections already on the backend keep streaming,
#    new ones go elsewhere.
#  - two instances given the same backends in different orders, with
#    different weights set in between, hold slot-for-slot identical tables.
#  - after a backend is set down, set up again, and a weight changes,
#    `lookup` names, for 20 client ports each time, the backend a real
#    connection from that port reaches.
set -uo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "$0")/lib.sh"

VIP=10.0.0.10:80/tcp
B1=$(ef_backend_ip4 1) B2=$(ef_backend_ip4 2) B3=$(ef_backend_ip4 3)
e2e_up
tmp=$(mktemp -d)
other_pins=""
cleanup() {
	[[ -n $other_pins ]] && umount "$other_pins" 2>/dev/null
	rm -rf "$tmp"
	ef_harness_down
}
trap cleanup EXIT

# The client ports the lookup rounds bind are never an ephemeral port of
# the test's other connections: an earlier connection's entry on the same
# 5-tuple would decide instead of the table.
ip netns exec "$EF_NS_CLIENT" sysctl -qw net.ipv4.ip_local_reserved_ports=42000-43299
check "VIP with three backends" e2e_vip "$VIP" "$B1" "$B2" "$B3"
check "attach" ef_lb_attach

# Where 60 client ports would go, by lookup.
lookup_all() {
	local p
	for ((p = 42000; p < 42060; p++)); do
		ef_lb -j lookup "$VIP" "$EF_CLIENT_IP4:$p" | jq -r '.backend'
	done
}
before=$(lookup_all | sort | uniq -c)
if grep -q "$B3" <<<"$before"; then
	ok "lookup sends some new flows to backend3 while it is up"
else
	not_ok "lookup sends some new flows to backend3 while it is up" "$before"
fi
check "backend3 set down" ef_lb backend set "$VIP" "$B3" --state down
after=$(lookup_all | sort | uniq -c)
if ! grep -q "$B3" <<<"$after"; then
	ok "lookup sends no new flow to backend3 once down"
else
	not_ok "lookup sends no new flow to backend3 once down" "$after"
fi
res=$(httpload http://10.0.0.10/ -n 300 -c 16 --timeout 5 --max-time 60)
if jq -e '.ok == 300 and (.by_body.backend3 // 0) == 0' <<<"$res" >/dev/null; then
	ok "300 new connections all succeed, none on the down backend"
else
	not_ok "300 new connections all succeed, none on the down backend" "$res"
fi

# Drain: streams on backend2 go on; new connections avoid it.
check "backend3 up again" ef_lb backend set "$VIP" "$B3" --state up
ef_client "$(ef_python)" "$SCRIPTS/streamload.py" http://10.0.0.10/ -n 30 --seconds 6 \
	--interval 0.2 >"$tmp/streams.json" &
spid=$!
sleep 2
check "backend2 set to drain" ef_lb backend set "$VIP" "$B2" --state drain
res=$(httpload http://10.0.0.10/ -n 200 -c 16 --timeout 5 --max-time 60)
wait "$spid"
on_b2=$(jq '[.connections[] | select(.backend == "backend2")] | length' "$tmp/streams.json")
broken=$(jq '[.connections[] | select(.outcome != "complete")] | length' "$tmp/streams.json")
if ((on_b2 > 0 && broken == 0)); then
	ok "the $on_b2 connections on the draining backend (and all others) stream to the end"
else
	not_ok "connections on the draining backend stream to the end" \
		"on backend2: $on_b2, broken: $broken; $(jq -c .by_outcome "$tmp/streams.json")"
fi
if jq -e '.ok == 200 and (.by_body.backend2 // 0) == 0' <<<"$res" >/dev/null; then
	ok "new connections avoid the draining backend"
else
	not_ok "new connections avoid the draining backend" "$res"
fi

# A second instance in the LB namespace, built in another order.
check "backend2 up again" ef_lb backend set "$VIP" "$B2" --state up
other_pins=$EF_RUN/bpf/other
mkdir -p "$other_pins"
mount -t bpf bpf "$other_pins"
other() {
	ip netns exec "$EF_NS_LB" "$EVENFLOW" --pin-dir "$other_pins/evenflow" "$@"
}
table_of() { # table_of CLI...: the VIP's slots as backend addresses
	"$@" -j vip show "$VIP" --table | jq -c '.vip.table'
}
check "second instance: same VIP, backends in reverse order, weights changed on the way" \
	bash -c "$(declare -f other); other_pins=$other_pins EF_NS_LB=$EF_NS_LB EVENFLOW=$EVENFLOW; \
	other vip add $VIP && other backend add $VIP $B3 --weight 5 && \
	other backend add $VIP $B1 --weight 2 && other backend add $VIP $B2 && \
	other backend set $VIP $B1 --weight 1 --force && other backend set $VIP $B3 --weight 1 --force"
t1=$(table_of ef_lb)
t2=$(table_of other)
n=$(jq length <<<"$t1")
if [[ -n $t1 && $t1 == "$t2" ]] && ((n > 65536)); then
	ok "both instances hold the same $n-slot table"
else
	not_ok "both instances hold the same table" "$(jq -c '.[:8]' <<<"$t1") vs $(jq -c '.[:8]' <<<"$t2")"
fi

# lookup against real connections: 20 client ports after each change
# (fresh ports each time, so no connection entry of an earlier round).
real_backends() { # real_backends FIRST-PORT: "port backendN" lines
	ef_client "$(ef_python)" - "$1" <<'PY'
import socket, sys
first = int(sys.argv[1])
for port in range(first, first + 20):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("10.100.0.2", port))
    s.settimeout(5)
    s.connect(("10.0.0.10", 80))
    s.sendall(b"GET / HTTP/1.0\r\nHost: x\r\n\r\n")
    data = b""
    while chunk := s.recv(4096):
        data += chunk
    s.close()
    print(port, data.split(b"\r\n\r\n", 1)[1].decode().strip())
PY
}
# lookup first (a connection leaves an entry that lookup would just
# read back), then the real connections.
lookup_agrees() { # lookup_agrees WHEN FIRST-PORT
	local port name bad="" n=0
	declare -A want
	for ((port = $2; port < $2 + 20; port++)); do
		want[$port]=$(ef_lb -j lookup "$VIP" "$EF_CLIENT_IP4:$port" | jq -r '.chosen.backend')
	done
	while read -r port name; do
		n=$((n + 1))
		[[ ${want[$port]} == "$(ef_backend_ip4 "${name#backend}")" ]] ||
			bad+="port $port: lookup ${want[$port]}, reached $name; "
	done < <(real_backends "$2")
	if [[ -z $bad ]] && ((n == 20)); then
		ok "$1: lookup names the backend 20 real connections reach"
	else
		not_ok "$1: lookup names the backend 20 real connections reach" "$n answered; $bad"
	fi
}
check "backend1 set down" ef_lb backend set "$VIP" "$B1" --state down
lookup_agrees "backend1 down" 43000
check "backend1 set up" ef_lb backend set "$VIP" "$B1" --state up
lookup_agrees "backend1 up again" 43100
check "backend3's weight set to 2" ef_lb backend set "$VIP" "$B3" --weight 2
lookup_agrees "a weight changed" 43200
e2e_done
