#!/bin/bash
# Story: one of three LBs leaves gracefully while 100 long-lived connections
# stream (50 to each VIP) and new connections arrive at 50 a second: its
# daemon gets SIGTERM. It withdraws its VIP addresses at once (its routes
# leave announcement table 239, so its BIRD withdraws them), the router stops
# sending it traffic, it keeps forwarding for the drain time
# (announce.drain, 2 s here), then the daemon exits and leaves the data plane
# attached and forwarding; then its BIRD stops and the data plane is
# detached. No connection breaks and no new connection fails: every packet
# that reached it found it forwarding, and the flows that moved to the other
# two LBs kept their backends (same tables). The router's reroute time is
# printed and kept as a figure.
# Before that, under the same load, lb1 goes into maintenance (SIGUSR1: both
# addresses withdrawn, the daemon and the data plane still running) and out
# of it (SIGUSR2: announced again, the router uses it again).
set -uo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=tests/e2e/cluster.sh
source "$(dirname "$0")/cluster.sh"

LOAD_SECONDS=14
DRAIN_S=2
LB=2
MAINT=1

EF_CLUSTER_DRAIN=${DRAIN_S}s cluster_up
ef_cluster_monitor_start

vip_packets() {
	echo $(($(lb_vip_counter "$1" "$VIP4:80/tcp" "$2") + $(lb_vip_counter "$1" "[$VIP6]:80/tcp" "$2")))
}

load_start "$LOAD_SECONDS"
sleep 2

# maintenance on lb1 and back
tm=$(now)
kill -USR1 "$(ef_cluster_daemon_pid "$MAINT")"
if ef_cluster_wait_announce "$MAINT" "$VIP4" off 2 && ef_cluster_wait_announce "$MAINT" "$VIP6" off 1 &&
	ef_cluster_wait_not_via "$VIP4" "$MAINT" 5 && ef_cluster_wait_not_via "$VIP6" "$MAINT" 5; then
	ok "SIGUSR1: lb$MAINT withdrew both addresses in $(awk -v a="$tm" -v b="$(now)" 'BEGIN { printf "%d", (b - a) * 1000 }') ms, the router left it"
else
	not_ok "SIGUSR1: lb$MAINT withdrew both addresses, the router left it" "$(tail -n 5 "$EF_RUN/lb$MAINT.daemon.log")"
fi
if ef_cluster_daemon_pid "$MAINT" >/dev/null && ef_lbi "$MAINT" status | grep -q "maintenance (SIGUSR1)" &&
	ef_lbi "$MAINT" status | grep -q "$EF_LB_UPLINK_DEV"; then
	ok "lb$MAINT in maintenance: its daemon runs, status says so, the data plane stays attached"
else
	not_ok "lb$MAINT in maintenance: daemon running, status says so, attached" "$(ef_lbi "$MAINT" status)"
fi
kill -USR2 "$(ef_cluster_daemon_pid "$MAINT")"
if ef_cluster_wait_paths "$VIP4" 3 10 && ef_cluster_wait_paths "$VIP6" 3 5; then
	ok "SIGUSR2: lb$MAINT announced again, the router uses it"
else
	not_ok "SIGUSR2: lb$MAINT announced again, the router uses it" "$(tail -n 5 "$EF_RUN/lb$MAINT.daemon.log")"
fi

before=$(vip_packets "$LB" new_flows)
sleep 1
t0=$(now)
check "lb$LB's daemon got SIGTERM" ef_cluster_lb_leave "$LB"
if ef_cluster_wait_announce "$LB" "$VIP4" off 2 && ef_cluster_wait_announce "$LB" "$VIP6" off 1; then
	ok "lb$LB's daemon withdrew its VIPs (table 239 emptied)"
else
	not_ok "lb$LB's daemon withdrew its VIPs (table 239 emptied)" "$(ef_lbn "$LB" ip route show table 239)"
fi
router_left "$LB" "$t0" "withdrawn"
# what was on its way when the route changed has arrived within 0.2 s
sleep 0.2
flows=$(vip_packets "$LB" new_flows)
packets=$(vip_packets "$LB" packets)
sleep 1
if ef_cluster_daemon_pid "$LB" >/dev/null; then
	ok "lb$LB's daemon still runs 1.2 s into its ${DRAIN_S} s drain"
else
	not_ok "lb$LB's daemon still runs 1.2 s into its ${DRAIN_S} s drain" "$(tail -n 5 "$EF_RUN/lb$LB.daemon.log")"
fi
check "lb$LB's daemon exited once drained" ef_cluster_daemon_wait_exit "$LB" 5
t1=$(now)
drained_ms=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%d", (b - a) * 1000 }')
if (($(vip_packets "$LB" new_flows) == flows && $(vip_packets "$LB" packets) == packets && flows > before)); then
	ok "lb$LB took new flows before ($((flows - before))), none while draining"
else
	not_ok "lb$LB took new flows before, none while draining" \
		"new flows: $before before, $flows at the withdrawal, $(vip_packets "$LB" new_flows) after"
fi
if ef_lbi "$LB" status | grep -q "$EF_LB_UPLINK_DEV"; then
	ok "lb$LB's data plane stays attached after its daemon exited"
else
	not_ok "lb$LB's data plane stays attached after its daemon exited" "$(ef_lbi "$LB" status)"
fi
check "lb$LB stopped: BIRD ended, data plane detached" ef_cluster_lb_stop "$LB"

load_wait
if ((BROKEN == 0)); then
	ok "none of the $STREAMS long-lived connections broke"
else
	not_ok "none of the $STREAMS long-lived connections broke" "$(broken_streams)"
fi
if ((FAILED == 0)); then
	ok "no new connection failed ($REQUESTS)"
else
	not_ok "no new connection failed" "$(failed_requests "$tm")"
fi
figure "maintenance (SIGUSR1, then SIGUSR2) of lb$MAINT and graceful SIGTERM to lb$LB's daemon (withdrawn at once, drain ${DRAIN_S}s, exit after ${drained_ms} ms, then stopped): broken $BROKEN/$STREAMS, new connections failed $FAILED of $REQUESTS, slowest ${SLOWEST_MS} ms; router reroute ${REROUTE4} ms (IPv6 ${REROUTE6} ms) after SIGTERM"
e2e_done
