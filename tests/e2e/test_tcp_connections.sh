#!/bin/bash
# Story: 500 real TCP connections to an IPv4 VIP through the LB all succeed,
# every backend serves some, the LB counts each as a new flow and drops
# nothing; full-size segments fit through the tunnel; and `evenflow lookup`
# names the backend that actually answers.
set -uo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "$0")/lib.sh"

VIP=10.0.0.10:80/tcp
e2e_up
check "VIP with three backends configured before attach" \
	e2e_vip "$VIP" "$(ef_backend_ip4 1)" "$(ef_backend_ip4 2)" "$(ef_backend_ip4 3)"
check "attach to the LB's client-facing veth in native mode" ef_lb_attach

res=$(httpload http://10.0.0.10/ -n 500 -c 16 --timeout 5 --max-time 60)
if jq -e '.ok == 500 and .failed == 0' <<<"$res" >/dev/null; then
	ok "500 TCP connections through the LB all succeed"
else
	not_ok "500 TCP connections through the LB all succeed" "$res"
fi
each_backend_served "$res"

stats=$(ef_lb -j stats)
if jq -e '[.backends[].new_flows] | add == 500' <<<"$stats" >/dev/null; then
	ok "the LB counted 500 new flows"
else
	not_ok "the LB counted 500 new flows" "$stats"
fi
if drops_zero "$stats"; then
	ok "no drop verdict counted"
else
	not_ok "no drop verdict counted" "$(jq -c .verdicts <<<"$stats")"
fi
for i in 1 2 3; do
	d=$(ef_backend_evenflow "$i" -j decap status | jq -r '.verdicts.decap')
	if ((d > 0)); then
		ok "backend$i decapsulated its packets ($d)"
	else
		not_ok "backend$i decapsulated its packets" "decap verdict: $d"
	fi
done

# Full-size segments: a 1 MB upload per connection needs the tunnel's MTU room.
res=$(httpload http://10.0.0.10/ -n 10 -c 2 --post-bytes 1000000 --timeout 10 --max-time 60)
if jq -e '.ok == 10' <<<"$res" >/dev/null; then
	ok "1 MB uploads (full-size segments, encapsulated) all arrive"
else
	not_ok "1 MB uploads (full-size segments, encapsulated) all arrive" "$res"
fi

# Twenty connections from known source ports: lookup must predict each one.
res=$(httpload http://10.0.0.10/ -n 20 -c 4 --source-port 41000 --details)
mismatch=""
while read -r sport body; do
	want=$(ef_lb -j lookup "$VIP" "$EF_CLIENT_IP4:$sport" | jq -r .backend)
	for i in 1 2 3; do
		[[ $want == "$(ef_backend_ip4 "$i")" ]] && want=$(ef_backend_name "$i")
	done
	[[ $want == "$body" ]] || mismatch+="port $sport: lookup says $want, answered by $body"$'\n'
done < <(jq -r '.details[] | "\(.sport) \(.body)"' <<<"$res")
if jq -e '.ok == 20' <<<"$res" >/dev/null && [[ -z $mismatch ]]; then
	ok "lookup names the backend that answers, for 20 flows"
else
	not_ok "lookup names the backend that answers, for 20 flows" "$mismatch$res"
fi

e2e_done
