#!/bin/bash
# Story (issue 15): an ICMP error about a reply from a VIP reaches the backend
# that sent the reply. Direct server return: replies go from the backend
# through a router straight to the client, and the router's link toward the
# client has a smaller MTU (1400). The router answers a 1500-byte reply
# with "fragmentation needed" (ICMPv6 "packet too big") sent to the reply's
# source, the VIP address, which it routes to the LB. The LB's data plane
# finds the flow from the quoted packet and sends the error to the flow's
# backend, whose kernel then lowers its path MTU to the client: a 2 MB
# download through an IPv4 VIP and through an IPv6 VIP completes. With the
# data plane off the router-facing device (the errors reach the LB's kernel,
# which has no use for them) the same download stalls: the test can fail.
#
#   client eth0 --------------------- to-client LB to-b1 ------ eth0 backend1
#   client eth1 --(MTU 1400)-- to-client rtr to-b1 -------------- eth1 backend1
#                                        rtr to-lb ------ to-rtr LB
set -uo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "$0")/lib.sh"

VIP4=10.0.0.10 VIP6=fd00:10::10
export EF_BACKENDS=1
e2e_up
RTR=$EF_PREFIX-rtr B1NS=$(ef_backend_ns 1)

# link NS1 DEV1 ADDR1 NS2 DEV2 ADDR2 MTU: a veth pair, addresses are
# "v4/len v6/len".
link() {
	ip -n "$1" link add "$2" mtu "$7" type veth peer name "$5" netns "$4" mtu "$7" &&
		ef_addr_up "$1" "$2" $3 && ef_addr_up "$4" "$5" $6
}
router_up() {
	ip netns add "$RTR" &&
		ip -n "$RTR" link set lo up &&
		ip netns exec "$RTR" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 \
			net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0 &&
		link "$RTR" to-client "10.101.0.1/24 fd00:101::1/64" \
			"$EF_NS_CLIENT" eth1 "10.101.0.2/24 fd00:101::2/64" 1400 &&
		link "$RTR" to-b1 "10.201.1.1/24 fd00:201:1::1/64" \
			"$B1NS" eth1 "10.201.1.2/24 fd00:201:1::2/64" 1500 &&
		link "$RTR" to-lb "10.102.0.2/24 fd00:102::2/64" \
			"$EF_NS_LB" to-rtr "10.102.0.1/24 fd00:102::1/64" 1500 &&
		ip -n "$RTR" route add 10.100.0.0/24 via 10.101.0.2 &&
		ip -n "$RTR" -6 route add fd00:100::/64 via fd00:101::2 &&
		ip -n "$RTR" route add "$EF_VIP_NET4" via 10.102.0.1 &&
		ip -n "$RTR" -6 route add "$EF_VIP_NET6" via fd00:102::1 &&
		ip netns exec "$EF_NS_CLIENT" sysctl -qw net.ipv4.conf.all.rp_filter=0 \
			net.ipv4.conf.eth1.rp_filter=0 &&
		ip netns exec "$B1NS" sysctl -qw net.ipv4.conf.eth1.rp_filter=0 &&
		ip -n "$B1NS" route replace default via 10.201.1.1 &&
		ip -n "$B1NS" -6 route replace default via fd00:201:1::1 &&
		ip netns exec "$EF_NS_LB" sysctl -qw net.ipv4.conf.to-rtr.rp_filter=0
}
check "a router on the return path, 1400-byte MTU toward the client" router_up
check "IPv4 VIP" e2e_vip "$VIP4:80/tcp" "$(ef_backend_ip4 1)"
check "IPv6 VIP" e2e_vip "[$VIP6]:80/tcp" "$(ef_backend_ip6 1)"
check "attach to the client's side" ef_lb_attach
ret=$(ef_client ip -o route get 10.0.0.10 from 10.100.0.2 2>&1)
diag "client to the VIP: $ret; backend1 to the client: $(ef_backend 1 ip -o route get 10.100.0.2)"

# download HOST SECONDS: 2 MB from the VIP within SECONDS; prints the bytes.
download() {
	ef_client curl -s -o /dev/null -w '%{size_download}' --max-time "$2" \
		"http://$1/bytes?n=2097152"
}
flush_pmtu() {
	ef_backend 1 ip route flush cache
	ef_backend 1 ip -6 route flush cache
}

# ---- the data plane not on the router-facing device: the errors are lost ----
for host in "$VIP4" "[$VIP6]"; do
	flush_pmtu
	got=$(download "$host" 8)
	if ((${got:-0} <= 2097152)); then
		ok "without the data plane on to-rtr, the download from $host stalls ($got bytes in 8 s)"
	else
		not_ok "without the data plane on to-rtr, the download from $host stalls" "$got bytes"
	fi
done

# ---- on it: each error goes to the flow's backend ----
check "attach to the router's side too" ef_lb attach to-rtr --mode "${EF_LB_MODE:-native}"
for host in "$VIP4" "[$VIP6]"; do
	flush_pmtu
	start=$(date +%s%N)
	got=$(download "$host" 20)
	t=$((($(date +%s%N) - start) / 1000000))
	if ((${got:-0} > 2097152)); then
		ok "the 2 MB download from $host completes in $t ms"
	else
		not_ok "the 2 MB download from $host completes" "$got bytes"
	fi
	if [[ $host == "$VIP4" ]]; then
		pmtu=$(ef_backend 1 ip -o route get 10.100.0.2 from "$VIP4")
	else
		pmtu=$(ef_backend 1 ip -o -6 route get fd00:100::2 from "$VIP6")
	fi
	if grep -q "mtu 1400" <<<"$pmtu"; then
		ok "backend1 learned the path MTU to the client: ${pmtu//\\/}"
	else
		not_ok "backend1 learned the path MTU to the client" "$pmtu"
	fi
done
n=$(ef_lb -j stats | jq '.verdicts.fwd_icmp_error')
if ((n > 0)); then
	ok "the LB forwarded $n ICMP errors to the flow's backend (fwd_icmp_error)"
else
	not_ok "the LB forwarded ICMP errors to the flow's backend" "$(ef_lb -j stats | jq -c .verdicts)"
fi
e2e_done
