#!/bin/bash
# Stories (issue 15): ICMP echo to a VIP address is answered by the LB's data
# plane (the LB's kernel does not hold the VIP), and not for an address whose
# VIPs have echo off; UDP datagrams of 4000 bytes from a client with a
# 1500-byte MTU (so in three fragments) to a UDP VIP are echoed whole by the
# backend of their flow, over IPv4 and IPv6; a fragment whose first never
# came is counted and dropped.
#
# XDP_TX into a veth needs an XDP program on its peer (HARNESS-NOTES): the
# client's veth gets the decap program, which passes everything else.
set -uo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "$0")/lib.sh"

e2e_up
check "IPv4 VIP with three backends" \
	e2e_vip 10.0.0.10:80/tcp "$(ef_backend_ip4 1)" "$(ef_backend_ip4 2)" "$(ef_backend_ip4 3)"
check "IPv6 VIP with three backends" \
	e2e_vip "[fd00:10::10]:80/tcp" "$(ef_backend_ip6 1)" "$(ef_backend_ip6 2)" "$(ef_backend_ip6 3)"
check "IPv4 UDP VIP" e2e_vip 10.0.0.10:5300/udp "$(ef_backend_ip4 1)" "$(ef_backend_ip4 2)" \
	"$(ef_backend_ip4 3)"
check "IPv6 UDP VIP" e2e_vip "[fd00:10::10]:5300/udp" "$(ef_backend_ip6 1)" \
	"$(ef_backend_ip6 2)" "$(ef_backend_ip6 3)"
check "a VIP with echo off on an address of its own" ef_lb vip add 10.0.0.11:80/tcp --echo off
check "attach" ef_lb_attach
check "the client's veth can take XDP_TX frames (an XDP program on it)" \
	ef_evenflow_in client decap attach "$EF_CLIENT_DEV"

# ---- echo ----
check "ping 10.0.0.10 is answered" ef_client ping -c 3 -i 0.2 -W 2 10.0.0.10
check "ping fd00:10::10 is answered" ef_client ping -6 -c 3 -i 0.2 -W 2 fd00:10::10
if ef_client ping -c 2 -i 0.2 -W 1 10.0.0.11 >/dev/null 2>&1; then
	not_ok "ping 10.0.0.11 (echo off) is not answered"
else
	ok "ping 10.0.0.11 (echo off) is not answered"
fi
n=$(ef_lb -j stats | jq '.verdicts.icmp_echo_reply')
if ((n == 6)); then
	ok "the data plane answered the 6 echo requests to VIPs with echo on"
else
	not_ok "the data plane answered the 6 echo requests to VIPs with echo on" "$n replies"
fi

# ---- fragments ----
servers_up() {
	local i pid id
	for i in 1 2 3; do
		rm -f "$EF_RUN/udp$i.ready"
		pid=$(
			ef_backend "$i" "$(ef_python)" "$SCRIPTS/udpecho.py" server --port 5300 \
				--name "$(ef_backend_name "$i")" --bind 10.0.0.10 fd00:10::10 \
				--ready-file "$EF_RUN/udp$i.ready" \
				</dev/null >"$EF_RUN/udp$i.log" 2>&1 &
			echo $!
		)
		id=$(ef_proc_id "$pid") || return 1
		echo "$pid $id" >>"$EF_RUN/pids"
	done
	for i in 1 2 3; do
		ef_harness_wait_file "$EF_RUN/udp$i.ready" 10 || return 1
	done
}
check "UDP echo servers on the backends" servers_up
# The backends' replies go back through the LB's kernel, whose link to the
# client has 1500 bytes: an IPv6 router does not fragment, and its "packet
# too big" to the VIP has no way back here, so the backends' IPv6 route
# toward the client gets the path's MTU (IPv4 fragments are fragmented again
# on the way).
for i in 1 2 3; do
	check "backend$i: IPv6 route MTU 1500 toward the client" ef_backend "$i" ip -6 route change \
		default via "$(ef_lb_backend_ip6 "$i")" dev "$EF_BACKEND_DEV" mtu 1500
done
for addr in 10.0.0.10 fd00:10::10; do
	res=$(ef_client "$(ef_python)" "$SCRIPTS/udpecho.py" client "$addr" 5300 --size 4000 \
		--flows 20 --count 3)
	if jq -e '.ok == 60 and .flows_split == 0 and (.by_backend | length) >= 2' \
		<<<"$res" >/dev/null; then
		ok "60 datagrams of 4000 bytes to $addr:5300 echoed whole, each flow by one backend"
	else
		not_ok "60 datagrams of 4000 bytes to $addr:5300 echoed whole, each flow by one backend" \
			"$res"
	fi
done
before=$(ef_lb -j stats | jq '.verdicts.drop_frag_no_first')
ef_client "$(ef_python)" "$SCRIPTS/udpecho.py" orphan 10.0.0.10 5300
after=$(ef_lb -j stats | jq '.verdicts.drop_frag_no_first')
if ((after == before + 1)); then
	ok "a fragment whose first never came is counted (drop_frag_no_first) and dropped"
else
	not_ok "a fragment whose first never came is counted and dropped" "$before -> $after"
fi
e2e_done
