#!/bin/bash
# Story: an IPv6 VIP, [fd00:10::10]:80/tcp, with IPv6 backends: connections
# cross the LB as IPv6-in-IPv6, the backends' decap strips the outer header,
# and the answers come back directly (DSR). All succeed, every backend serves.
set -uo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "$0")/lib.sh"

VIP='[fd00:10::10]:80/tcp'
N=300
e2e_up
check "IPv6 VIP with three IPv6 backends configured before attach" \
	e2e_vip "$VIP" "$(ef_backend_ip6 1)" "$(ef_backend_ip6 2)" "$(ef_backend_ip6 3)"
check "attach in native mode" ef_lb_attach

res=$(httpload 'http://[fd00:10::10]/' -n "$N" -c 16 --timeout 5 --max-time 60)
if jq -e --argjson n "$N" '.ok == $n and .failed == 0' <<<"$res" >/dev/null; then
	ok "$N TCP connections to the IPv6 VIP all succeed"
else
	not_ok "$N TCP connections to the IPv6 VIP all succeed" "$res"
fi
each_backend_served "$res"

stats=$(ef_lb -j stats)
if jq -e --argjson n "$N" '[.backends[].new_flows] | add == $n' <<<"$stats" >/dev/null; then
	ok "the LB counted $N new flows"
else
	not_ok "the LB counted $N new flows" "$stats"
fi
if drops_zero "$stats"; then
	ok "no drop verdict counted"
else
	not_ok "no drop verdict counted" "$(jq -c .verdicts <<<"$stats")"
fi
decap=0
for i in 1 2 3; do
	d=$(ef_backend_evenflow "$i" -j decap status | jq -r '.verdicts.decap')
	decap=$((decap + d))
done
if ((decap > 0)); then
	ok "the backends decapsulated IPv6-in-IPv6 packets ($decap)"
else
	not_ok "the backends decapsulated IPv6-in-IPv6 packets"
fi

# Full-size segments: a 1 MB upload per connection needs the tunnel's MTU room.
res=$(httpload 'http://[fd00:10::10]/' -n 10 -c 2 --post-bytes 1000000 --timeout 10 --max-time 60)
if jq -e '.ok == 10' <<<"$res" >/dev/null; then
	ok "1 MB uploads (full-size segments, encapsulated) all arrive"
else
	not_ok "1 MB uploads (full-size segments, encapsulated) all arrive" "$res"
fi

e2e_done
