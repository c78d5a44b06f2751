#!/bin/bash
# Story: the LB-to-backend links have a plain 1500-byte MTU, so a full-size
# client segment no longer fits once encapsulated. The LB answers it with
# ICMP "fragmentation needed" (ICMPv6 "packet too big") from the VIP; the
# client's path-MTU discovery lowers its segment size and 1 MB uploads get
# through, over IPv4 and IPv6, instead of hanging.
#
# XDP_TX into a veth needs an XDP program on its peer (HARNESS-NOTES), which
# a real NIC does not: the client's veth gets the decap program, which passes
# everything that is not a tunnel packet for it.
set -uo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "$0")/lib.sh"

export EF_BACKEND_MTU=1500
e2e_up
check "IPv4 VIP with three backends" \
	e2e_vip 10.0.0.10:80/tcp "$(ef_backend_ip4 1)" "$(ef_backend_ip4 2)" "$(ef_backend_ip4 3)"
check "IPv6 VIP with three backends" \
	e2e_vip "[fd00:10::10]:80/tcp" "$(ef_backend_ip6 1)" "$(ef_backend_ip6 2)" "$(ef_backend_ip6 3)"
check "attach" ef_lb_attach
check "the client's veth can take XDP_TX frames (an XDP program on it)" \
	ef_evenflow_in client decap attach "$EF_CLIENT_DEV"

for url in http://10.0.0.10/ "http://[fd00:10::10]/"; do
	res=$(httpload "$url" -n 6 -c 2 --post-bytes 1000000 --timeout 10 --max-time 60)
	if jq -e '.ok == 6' <<<"$res" >/dev/null; then
		ok "1 MB uploads to $url over 1500-byte backend links all arrive"
	else
		not_ok "1 MB uploads to $url over 1500-byte backend links all arrive" "$res"
	fi
done
stats=$(ef_lb -j stats)
n=$(jq '.verdicts.icmp_too_big' <<<"$stats")
if ((n > 0)); then
	ok "the LB answered $n too-big packets with ICMP"
else
	not_ok "the LB answered too-big packets with ICMP" "$(jq -c .verdicts <<<"$stats")"
fi
if jq -e '.verdicts.drop_too_big == 0' <<<"$stats" >/dev/null; then
	ok "no too-big packet was dropped silently"
else
	not_ok "no too-big packet was dropped silently" "$(jq -c .verdicts <<<"$stats")"
fi
e2e_done
