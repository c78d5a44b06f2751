#!/bin/bash
# Story: three LBs with the same configuration pick the same backend for a
# new flow. For a few client ports per VIP (IPv4 and IPv6): `evenflow lookup`
# names the same backend on every LB; then the very same 5-tuple is sent
# through each LB in turn (a rule on the router pins that client port to one
# LB), and each time the backend that answers is that one, the LB the rule
# named now holds the flow's connection entry, and the LBs not yet used hold
# none (so each answer really came through the LB under test).
set -uo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=tests/e2e/cluster.sh
source "$(dirname "$0")/cluster.sh"

# client ports whose flows go to each of the three backends for one VIP or the other
PORTS="41001 41003 41004"

cluster_up

# ask ADDR PORT: one HTTP/1.0 request to ADDR from client port PORT; prints
# the first word of the answer. It reads to the server's close before closing
# itself, so the client keeps no TIME_WAIT and the next request can use the
# very same 5-tuple.
ask() {
	ip netns exec "$EF_NS_CLIENT" "$(ef_python)" -c '
import socket, sys
addr, port = sys.argv[1], int(sys.argv[2])
fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
s = socket.socket(fam, socket.SOCK_STREAM)
s.settimeout(5)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("", port))
s.connect((addr, 80))
s.sendall(b"GET / HTTP/1.0\r\n\r\n")
buf = b""
while True:
    chunk = s.recv(4096)
    if not chunk:
        break
    buf += chunk
s.close()
print(buf.split(b"\r\n\r\n", 1)[1].split()[0].decode())
' "$1" "$2" 2>&1
}

# pin ADDR PORT I: the router sends ADDR's TCP traffic from client port PORT to LB I only.
pin() {
	local addr=$1 port=$2 i=$3 fam=-4 via
	via=$(ef_cluster_lb_ip4 "$i")
	if [[ $addr == *:* ]]; then
		fam=-6
		via=$(ef_cluster_lb_ip6 "$i")
	fi
	ip -n "$EF_NS_RTR" "$fam" rule del pref 100 2>/dev/null
	ip -n "$EF_NS_RTR" "$fam" route replace "$addr" via "$via" table 100 &&
		ip -n "$EF_NS_RTR" "$fam" rule add pref 100 iif "$EF_RTR_CLIENT_DEV" ipproto tcp \
			sport "$port" lookup 100
}

for vip in "$VIP4" "$VIP6"; do
	key=$vip:80/tcp
	client=$EF_CLIENT_IP4
	if [[ $vip == *:* ]]; then
		key=[$vip]:80/tcp
		client=[$EF_CLIENT_IP6]
	fi
	for port in $PORTS; do
		flow="$key from port $port"
		choices=()
		for ((i = 1; i <= EF_CLUSTER_LBS; i++)); do
			choices+=("$(lookup_name "$i" "$key" "$client:$port" table)")
		done
		if [[ ${choices[0]} != none && $(printf '%s\n' "${choices[@]}" | sort -u | wc -l) == 1 ]]; then
			ok "$flow: every LB's table picks ${choices[0]}"
		else
			not_ok "$flow: every LB's table picks the same backend" "${choices[*]}"
		fi
		for ((i = 1; i <= EF_CLUSTER_LBS; i++)); do
			if ! pin "$vip" "$port" "$i"; then
				not_ok "$flow through lb$i: pinned on the router"
				continue
			fi
			got=$(ask "$vip" "$port")
			entry=$(lookup_name "$i" "$key" "$client:$port" entry)
			later=0
			for ((k = i + 1; k <= EF_CLUSTER_LBS; k++)); do
				[[ $(ef_lbi "$k" -j lookup "$key" "$client:$port" | jq .conntrack.exists) == true ]] &&
					later=$((later + 1))
			done
			if [[ $got == "${choices[0]}" && $entry == "$got" && $later == 0 ]]; then
				ok "$flow through lb$i: answered by $got, lb$i's connection entry names it"
			else
				not_ok "$flow through lb$i: answered by ${choices[0]} through lb$i" \
					"answered by $got; lb$i's entry: $entry; LBs after it with an entry: $later"
			fi
		done
	done
done
ip -n "$EF_NS_RTR" -4 rule del pref 100 2>/dev/null
ip -n "$EF_NS_RTR" -6 rule del pref 100 2>/dev/null
e2e_done
