#!/bin/bash
# Story: withdrawal on health. Three LBs health-check the backends (tcp every
# 1 s, timeout 500 ms, fall 2, rise 2). On lb3 alone, the checks of the IPv4
# backends are dropped (nftables on its own output: the LB's own connections,
# not the traffic it forwards from XDP). New connections arrive at 50 a
# second meanwhile. lb3 finds every IPv4 backend unhealthy and stops
# announcing 10.0.0.10 within fall x interval + 2 s: the router stops sending
# it that VIP, while lb3 keeps announcing fd00:10::10 (whose checks pass) and
# lb1 and lb2 keep both. Failing open keeps 10.0.0.10 forwarding on lb3 (the
# last good backends stay in its table) but does not keep it announced.
# Once the checks pass again (rise), lb3 announces 10.0.0.10 again, as soon
# as a sibling's fingerprints (polled every 2 s) agree with its own, and the
# router uses it. No new connection fails. Times are printed and kept.
set -uo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=tests/e2e/cluster.sh
source "$(dirname "$0")/cluster.sh"

LB=3
BACKENDS4=10.200.0.0/16 # the IPv4 backends (scripts/harness.sh: 10.200.<j>.2)
FALL_MS=2000 # fall x interval
RISE_MS=2000 # rise x interval
POLL_MS=2000 # siblings.interval: the sibling gate waits for a fresh poll
LOAD_SECONDS=16

EF_CLUSTER_HEALTH=on cluster_up
ef_cluster_monitor_start

# every_healthy I: every backend of LB I passes its checks
every_healthy() {
	ef_lbi "$1" -j backend list | jq -e '[.backends[] | .health == "healthy"] | all and length > 0' >/dev/null
}

# wait_until SECONDS CMD...: CMD succeeds within SECONDS (polls every 50 ms)
wait_until() {
	local tries=$(($1 * 20))
	shift
	while ((tries-- > 0)); do
		"$@" && return 0
		sleep 0.05
	done
	return 1
}

ms_since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%d", (b - a) * 1000 }'; }

# announce_within on|off T0 LIMIT_MS WHAT WHY: one assertion: LB announces
# $VIP4 (or no longer does) within LIMIT_MS of T0; TOOK: the milliseconds
announce_within() {
	if ! ef_cluster_wait_announce "$LB" "$VIP4" "$1" 10; then
		TOOK=none
		not_ok "lb$LB $4" "$(tail -n 20 "$EF_RUN/lb$LB.daemon.log")"
		return
	fi
	TOOK=$(ms_since "$2")
	if ((TOOK <= $3)); then
		ok "lb$LB $4 after $TOOK ms ($5: $3 ms)"
	else
		not_ok "lb$LB $4 within $3 ms ($5)" "it took $TOOK ms"
	fi
}

healthy_all() {
	local i
	for ((i = 1; i <= EF_CLUSTER_LBS; i++)); do every_healthy "$i" || return 1; done
}
check "every LB finds every backend healthy" wait_until 10 healthy_all

# new connections to both VIPs, in the background
for fam in 4 6; do
	url=$URL4
	[[ $fam == 6 ]] && url=$URL6
	client_py httpload.py "$url/" -n $((LOAD_SECONDS * RATE / 2)) --rate $((RATE / 2)) -c 16 \
		--timeout 3 --max-time $((LOAD_SECONDS + 20)) --details >"$EF_RUN/load.$fam.json" 2>&1 &
	pids+=($!)
done
sleep 2

t0=$(now)
ip netns exec "$(ef_cluster_lb_ns "$LB")" nft -f - <<EOF
table inet efc_checks {
	chain out { type filter hook output priority 0; ip daddr $BACKENDS4 tcp dport 80 drop; }
}
EOF
announce_within off "$t0" $((FALL_MS + 2000)) "withdrew $VIP4" "fall x interval + 2 s"
withdraw_ms=$TOOK
if ef_cluster_wait_not_via "$VIP4" "$LB" 5; then
	ok "the router no longer sends $VIP4 to lb$LB"
else
	not_ok "the router no longer sends $VIP4 to lb$LB" "$(ip -n "$EF_NS_RTR" route show "$VIP4")"
fi
reroute=$(ef_cluster_reroute_ms "$t0" "$VIP4")
announced_elsewhere() {
	local i
	for ((i = 1; i < LB; i++)); do
		[[ $(ef_cluster_announced "$i" | sort | tr '\n' ' ') == "$VIP4 $VIP6 " || 
			$(ef_cluster_announced "$i" | sort | tr '\n' ' ') == "$VIP6 $VIP4 " ]] || return 1
	done
	grep -qxF "$VIP6" <<<"$(ef_cluster_announced "$LB")" &&
		[[ $(ef_cluster_paths "$VIP6") == "1 2 3" && $(ef_cluster_paths "$VIP4") == "1 2" ]]
}
if announced_elsewhere; then
	ok "lb$LB still announces $VIP6, lb1 and lb2 still announce both"
else
	not_ok "lb$LB still announces $VIP6, lb1 and lb2 still announce both" \
		"$(for i in 1 2 3; do echo "lb$i: $(ef_cluster_announced "$i" | tr '\n' ' ')"; done)"
fi
line=$(grep -m1 "withdrawing $VIP4: vip $VIP4:80/tcp has 0 backend(s) up and healthy here, min-up 1" \
	"$EF_RUN/lb$LB.daemon.log")
if [[ -n $line ]]; then
	ok "lb$LB's daemon says why: $line"
else
	not_ok "lb$LB's daemon logs why it withdraws $VIP4" "$(tail -n 20 "$EF_RUN/lb$LB.daemon.log")"
fi
vip4=$(ef_lbi "$LB" -j vip list | jq -c --arg v "$VIP4:80/tcp" '.vips[] | select(.vip == $v)')
if [[ $(jq -r .fail_open <<<"$vip4") == true && $(jq -r .n_up <<<"$vip4") -ge 1 ]]; then
	ok "lb$LB still forwards $VIP4: it fails open with $(jq -r .n_up <<<"$vip4") backend(s) in its table"
else
	not_ok "lb$LB still forwards $VIP4 (fails open)" "$vip4"
fi

# lb3 takes no new flow of the IPv4 VIP any more, and keeps taking IPv6 ones
sleep 0.2
a4=$(lb_vip_counter "$LB" "$VIP4:80/tcp" new_flows)
a6=$(lb_vip_counter "$LB" "[$VIP6]:80/tcp" new_flows)
sleep 2
b4=$(lb_vip_counter "$LB" "$VIP4:80/tcp" new_flows)
b6=$(lb_vip_counter "$LB" "[$VIP6]:80/tcp" new_flows)
if ((b4 == a4 && b6 > a6)); then
	ok "lb$LB took no new $VIP4 flow for 2 s, and $((b6 - a6)) of $VIP6"
else
	not_ok "lb$LB took no new $VIP4 flow, but $VIP6 ones" "$VIP4: $a4 -> $b4; $VIP6: $a6 -> $b6"
fi

t1=$(now)
ip netns exec "$(ef_cluster_lb_ns "$LB")" nft delete table inet efc_checks
announce_within on "$t1" $((RISE_MS + POLL_MS + 2000)) "announces $VIP4 again" \
	"rise x interval + a sibling poll + 2 s"
back_ms=$TOOK
check "the router sends $VIP4 to lb$LB again" ef_cluster_wait_paths "$VIP4" 3 10

for pid in "${pids[@]}"; do
	wait "$pid"
done
failed=$(jq -s '[.[].details[] | select(.ok | not)] | length' "$EF_RUN"/load.[46].json)
requests=$(jq -s '[.[].details[]] | length' "$EF_RUN"/load.[46].json)
if ((failed == 0 && requests > 0)); then
	ok "no new connection failed ($requests)"
else
	not_ok "no new connection failed" "$failed of $requests"
fi
figure "withdrawal on health (lb$LB's checks of the IPv4 backends dropped; tcp every 1 s, fall 2, rise 2): $VIP4 withdrawn after ${withdraw_ms} ms, router reroute ${reroute} ms; announced again ${back_ms} ms after the checks passed; new connections failed $failed of $requests"
e2e_done
