#!/bin/bash
# Story (issue 15): path-MTU discovery on the return path. A far client sits
# behind a router (the harness's client namespace, forwarding) whose link
# toward it has a 1400-byte MTU, while the far client's own MTU is 1500: the
# backends' full-size replies (straight to the client, from the VIP) do not
# fit that hop. The router sends "fragmentation needed" (ICMPv6 "packet too
# big") to the reply's source, the VIP, so to the LB, which forwards it to the
# backend that owns the flow (fwd_icmp_error); the backend's kernel lowers its
# path MTU and 2 MB downloads through an IPv4 and an IPv6 VIP complete. The
# same download with the router's errors kept from the LB (a tc filter) hangs:
# the test can fail.
set -uo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "$0")/lib.sh"

e2e_up
far=$EF_PREFIX-far
check "IPv4 VIP with three backends" \
	e2e_vip 10.0.0.10:80/tcp "$(ef_backend_ip4 1)" "$(ef_backend_ip4 2)" "$(ef_backend_ip4 3)"
check "IPv6 VIP with three backends" \
	e2e_vip "[fd00:10::10]:80/tcp" "$(ef_backend_ip6 1)" "$(ef_backend_ip6 2)" "$(ef_backend_ip6 3)"
check "attach" ef_lb_attach

# far client <-1500|1400-> router (client ns) <---> LB
far_up() {
	ip netns add "$far" &&
		ip -n "$EF_NS_CLIENT" link add far0 mtu 1400 type veth peer name eth0 netns "$far" &&
		ip -n "$far" link set lo up &&
		ef_addr_up "$far" eth0 10.101.0.2/24 fd00:101::2/64 &&
		ef_addr_up "$EF_NS_CLIENT" far0 10.101.0.1/24 fd00:101::1/64 &&
		ip -n "$far" route add default via 10.101.0.1 &&
		ip -n "$far" -6 route add default via fd00:101::1 &&
		ip netns exec "$far" ethtool -K eth0 tx off >/dev/null &&
		ip netns exec "$EF_NS_CLIENT" sysctl -qw net.ipv4.ip_forward=1 \
			net.ipv6.conf.all.forwarding=1 &&
		ip -n "$EF_NS_LB" route add 10.101.0.0/24 via "$EF_CLIENT_IP4" &&
		ip -n "$EF_NS_LB" -6 route add fd00:101::/64 via "$EF_CLIENT_IP6"
}
check "a far client behind a router with a 1400-byte hop toward it" far_up

# download URL TIMEOUT: 2 MB from the far client; the httpload JSON.
download() {
	ip netns exec "$far" "$(ef_python)" "$SCRIPTS/httpload.py" "$1/bytes?n=2000000" -n 2 -c 2 \
		--timeout "$2" --max-time 30
}

for url in http://10.0.0.10 "http://[fd00:10::10]"; do
	res=$(download "$url" 10)
	if jq -e '.ok == 2' <<<"$res" >/dev/null; then
		ok "2 MB downloads from $url through a 1400-byte hop complete"
	else
		not_ok "2 MB downloads from $url through a 1400-byte hop complete" "$res"
	fi
done
n=$(ef_lb -j stats | jq '.verdicts.fwd_icmp_error')
if ((n > 0)); then
	ok "the LB sent $n ICMP errors to the flows' backends"
else
	not_ok "the LB sent ICMP errors to the flows' backends" "$(ef_lb -j stats | jq -c .verdicts)"
fi

# The control: the router's errors never leave it (nftables), from a new
# address of the far client (the backends remember 1400 for the first).
control_up() {
	ip -n "$far" addr add 10.101.0.3/24 dev eth0 &&
		ip -n "$far" route replace default via 10.101.0.1 src 10.101.0.3 &&
		ip netns exec "$EF_NS_CLIENT" nft -f - <<-'NFT'
			table inet efcontrol {
				chain out {
					type filter hook output priority 0;
					icmp type destination-unreachable drop
				}
			}
		NFT
}
check "control: the router's ICMP errors dropped, a fresh client address" control_up
res=$(download http://10.0.0.10 4)
if jq -e '.ok == 0' <<<"$res" >/dev/null; then
	ok "control: with the errors kept from the LB, the downloads hang"
else
	not_ok "control: with the errors kept from the LB, the downloads hang" "$res"
fi
e2e_done
