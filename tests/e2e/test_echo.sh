#!/bin/bash
# Story (issue 15): ICMP echo to a VIP address is answered by the data plane
# (the LB does not hold the address, so its kernel would not answer), for an
# IPv4 and an IPv6 VIP; a VIP added with --echo off leaves its address
# unanswered (its echo passed to the LB's kernel, which drops it).
#
# The reply leaves by XDP_TX into the client's veth, whose peer needs an XDP
# program (HARNESS-NOTES): the client's veth gets the decap program, which
# passes everything that is not a tunnel packet for it.
set -uo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "$0")/lib.sh"

EF_SERVERS=0 e2e_up
check "IPv4 VIP" e2e_vip 10.0.0.10:80/tcp "$(ef_backend_ip4 1)"
check "IPv6 VIP" e2e_vip "[fd00:10::10]:80/tcp" "$(ef_backend_ip6 1)"
check "a VIP with --echo off" ef_lb vip add 10.0.0.20:80/tcp --echo off
check "attach" ef_lb_attach
check "the client's veth can take XDP_TX frames (an XDP program on it)" \
	ef_evenflow_in client decap attach "$EF_CLIENT_DEV"

for vip in 10.0.0.10 fd00:10::10; do
	out=$(ef_client ping -c 3 -i 0.2 -W 1 "$vip" 2>&1)
	if grep -q " 0% packet loss" <<<"$out"; then
		ok "ping $vip: 3 of 3 answered ($(grep -o 'rtt.*' <<<"$out"))"
	else
		not_ok "ping $vip: 3 of 3 answered" "$out"
	fi
done
n=$(ef_lb -j stats | jq '.verdicts.icmp_echo_reply')
if ((n >= 6)); then
	ok "the data plane answered them ($n echo replies counted)"
else
	not_ok "the data plane answered them" "icmp_echo_reply $n"
fi
out=$(ef_client ping -c 2 -i 0.2 -W 1 10.0.0.20 2>&1)
if grep -q "100% packet loss" <<<"$out"; then
	ok "ping 10.0.0.20 (--echo off): unanswered"
else
	not_ok "ping 10.0.0.20 (--echo off): unanswered" "$out"
fi
e2e_done
