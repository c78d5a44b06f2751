#!/bin/bash
# Story: with evenflow attached and a VIP on port 80, the LB host's own
# traffic keeps working: the client pings the LB (IPv4 and IPv6), the LB
# pings the client, and TCP to a server on the LB itself, on the VIP's port
# but the LB's own address, is answered by that server, not load-balanced.
set -uo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "$0")/lib.sh"

VIP=10.0.0.10:80/tcp
e2e_up
check "VIP with three backends configured before attach" \
	e2e_vip "$VIP" "$(ef_backend_ip4 1)" "$(ef_backend_ip4 2)" "$(ef_backend_ip4 3)"
check "attach in native mode" ef_lb_attach
check "a server on the LB host itself, port 80" ef_start_http_server "$EF_NS_LB" lbhost 80
before=$(ef_lb -j stats | jq '.verdicts.pass_not_vip')

check "client pings the LB ($EF_LB_IP4)" ef_client ping -c3 -i0.2 -W2 "$EF_LB_IP4"
check "client pings the LB over IPv6 ($EF_LB_IP6)" ef_client ping -6 -c3 -i0.2 -W2 "$EF_LB_IP6"
check "the LB pings the client (replies cross the XDP device)" \
	ef_lb_exec ping -c3 -i0.2 -W2 "$EF_CLIENT_IP4"

for url in "http://$EF_LB_IP4/" "http://[$EF_LB_IP6]/"; do
	res=$(httpload "$url" -n 20 -c 4 --timeout 5 --max-time 30)
	if jq -e '.ok == 20 and .by_body == {"lbhost": 20}' <<<"$res" >/dev/null; then
		ok "TCP to $url is answered by the LB host (20/20)"
	else
		not_ok "TCP to $url is answered by the LB host (20/20)" "$res"
	fi
done

after=$(ef_lb -j stats | jq '.verdicts.pass_not_vip')
if ((after > before)); then
	ok "the LB's own traffic is counted as pass_not_vip ($((after - before)))"
else
	not_ok "the LB's own traffic is counted as pass_not_vip" "before $before, after $after"
fi

res=$(httpload http://10.0.0.10/ -n 50 -c 8 --timeout 5 --max-time 30)
if jq -e '.ok == 50 and (.by_body | has("lbhost") | not)' <<<"$res" >/dev/null; then
	ok "meanwhile the VIP is served by the backends (50/50)"
else
	not_ok "meanwhile the VIP is served by the backends (50/50)" "$res"
fi

e2e_done
