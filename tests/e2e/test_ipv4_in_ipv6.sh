#!/bin/bash
# Story: an IPv4 VIP whose backends are reached over IPv6: the LB wraps the
# IPv4 packets in IPv6 (IPv4-in-IPv6), the backends' decap unwraps them, and
# the IPv4 answers come back directly. All connections succeed.
set -uo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "$0")/lib.sh"

VIP=10.0.0.10:80/tcp
N=200
e2e_up
check "IPv4 VIP with three IPv6 backends configured before attach" \
	e2e_vip "$VIP" "$(ef_backend_ip6 1)" "$(ef_backend_ip6 2)" "$(ef_backend_ip6 3)"
check "attach in native mode" ef_lb_attach

res=$(httpload http://10.0.0.10/ -n "$N" -c 16 --timeout 5 --max-time 60)
if jq -e --argjson n "$N" '.ok == $n and .failed == 0' <<<"$res" >/dev/null; then
	ok "$N TCP connections through IPv4-in-IPv6 all succeed"
else
	not_ok "$N TCP connections through IPv4-in-IPv6 all succeed" "$res"
fi
if jq -e '.by_body | length == 3' <<<"$res" >/dev/null; then
	ok "every backend served some"
else
	not_ok "every backend served some" "$res"
fi
stats=$(ef_lb -j stats)
if drops_zero "$stats"; then
	ok "no drop verdict counted"
else
	not_ok "no drop verdict counted" "$(jq -c .verdicts <<<"$stats")"
fi
res=$(httpload http://10.0.0.10/ -n 10 -c 2 --post-bytes 1000000 --timeout 10 --max-time 60)
if jq -e '.ok == 10' <<<"$res" >/dev/null; then
	ok "1 MB uploads (full-size segments, 40 bytes of outer header) all arrive"
else
	not_ok "1 MB uploads (full-size segments, 40 bytes of outer header) all arrive" "$res"
fi

e2e_done
