#!/bin/bash
# make demo-cluster: three evenflow load balancers behind one ECMP router,
# announced over BGP by BIRD, in a throw-away set of network namespaces
# (scripts/cluster.sh). One LB leaves under traffic and comes back.
#
#   1. the cluster comes up; every LB runs `evenflow daemon` on the same
#      configuration (VIP 10.0.0.10:80/tcp and [fd00:10::10]:80/tcp, three
#      backends each) plus its own announce: and siblings: sections, is
#      attached, and its daemon announces the VIPs; the router spreads them
#      over all three
#   2. new connections from the client: per LB and per backend counts
#   3. the same traffic while lb2 leaves gracefully (SIGTERM to its daemon:
#      it withdraws at once, drains 1 s, exits): the other two take over,
#      0 requests fail
#   4. lb2 comes back (its daemon started again): all three carry traffic
#   5. everything is torn down (also on error or Ctrl-C)
# Exit status non-zero if a request failed, an LB carried nothing while it
# should, or lb2 carried anything while it was out.
#   DEMO_RATE (100 new connections a second), DEMO_SECONDS (4 per phase)
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=scripts/cluster.sh
source "$HERE/cluster.sh"

RATE=${DEMO_RATE:-100}
SECONDS_PER_PHASE=${DEMO_SECONDS:-4}
LEAVER=2
VIP=10.0.0.10:80/tcp
URL=http://10.0.0.10/

if ((EUID != 0)); then
	echo "demo-cluster: needs root (network namespaces, XDP, BIRD)" >&2
	exit 1
fi

step() { printf '\n== %s\n' "$*"; }

# How an LB joins and leaves: its daemon (scripts/cluster.sh).
lb_join() {
	printf '  lb%s# evenflow daemon --config lb%s.yaml &; evenflow attach %s   (it announces %s)\n' \
		"$1" "$1" "$EF_LB_UPLINK_DEV" "$(ef_cluster_vip_addrs)"
	ef_cluster_lb_start "$1"
}
lb_leave_begin() {
	printf '  lb%s# kill -TERM <daemon>   (withdraws: table %s emptied, BIRD withdraws; drains %s)\n' \
		"$1" "$EF_ANNOUNCE_TABLE" "$EF_CLUSTER_DRAIN"
	ef_cluster_lb_leave "$1"
}
lb_leave_end() {
	printf '  lb%s# (daemon exited, data plane still attached) stop BIRD, detach the data plane\n' "$1"
	ef_cluster_daemon_wait_exit "$1" 10 && ef_cluster_lb_stop "$1"
}

# the router sends every VIP to every LB
all_paths() {
	local vip
	for vip in $(ef_cluster_vip_addrs); do
		ef_cluster_wait_paths "$vip" "$EF_CLUSTER_LBS" 15
	done
}

# new_flows of VIP on every LB, one number per LB (0 for an LB whose data
# plane is detached: `stats` then finds none and says so)
lb_counts() {
	local i st
	for ((i = 1; i <= EF_CLUSTER_LBS; i++)); do
		st=$(ef_lbi "$i" -j stats 2>/dev/null) || st='{"vips": []}'
		jq -r --arg v "$VIP" '[.vips[] | select(.vip == $v) | .new_flows] | add // 0' <<<"$st"
	done | tr '\n' ' '
}

# traffic SECONDS: new connections at RATE a second for SECONDS; its JSON
traffic() {
	ef_client "$(ef_python)" "$HERE/httpload.py" "$URL" -n $((RATE * $1)) --rate "$RATE" -c 16 \
		--timeout 3 --max-time $(($1 + 20)) || true
}

STATUS=0
# report NAME BEFORE AFTER RESULT [OUT]: one line of the table: new flows per
# LB between BEFORE and AFTER (lb_counts), answers per backend and failures
# from RESULT (httpload's JSON; "" when the line has none); OUT is the LB that
# must carry nothing (the others must carry something)
report() {
	local name=$1 i n
	local -a b a
	read -r -a b <<<"$2"
	read -r -a a <<<"$3"
	printf '  %-20s' "$name"
	for ((i = 0; i < EF_CLUSTER_LBS; i++)); do
		n=$((a[i] - b[i]))
		printf ' %6d' "$n"
		if [[ $((i + 1)) == "${5:-}" ]]; then
			((n == 0)) || STATUS=1
		else
			((n > 0)) || STATUS=1
		fi
	done
	if [[ -z $4 ]]; then
		for ((i = 1; i <= EF_BACKENDS; i++)); do printf ' %9s' -; done
		printf ' %7s\n' -
		return
	fi
	for ((i = 1; i <= EF_BACKENDS; i++)); do
		printf ' %9d' "$(jq -r --arg b "$(ef_backend_name "$i")" '.by_body[$b] // 0' <<<"$4")"
	done
	n=$(jq -r '.failed + .not_started' <<<"$4")
	printf ' %7d\n' "$n"
	((n == 0)) || STATUS=1
}

header() {
	local i
	printf '  %-20s' "$1"
	for ((i = 1; i <= EF_CLUSTER_LBS; i++)); do printf ' %6s' "lb$i"; done
	for ((i = 1; i <= EF_BACKENDS; i++)); do printf ' %9s' "backend$i"; done
	printf ' %7s\n' failed
}

# traffic_phase NAME: SECONDS_PER_PHASE of traffic, reported as one line
traffic_phase() {
	local before result
	header phase
	before=$(lb_counts)
	result=$(traffic "$SECONDS_PER_PHASE")
	report "$1" "$before" "$(lb_counts)" "$result"
}

unset EF_PREFIX
EF_CLUSTER_DRAIN=1s
step "cluster: client, router (BIRD, ECMP by L4 hash), 3 LBs (evenflow XDP + BIRD), 3 backends"
ef_cluster_up 2>&1

step "the same configuration on every LB (lb1's file shown: the others differ in their own addresses)"
ef_cluster_conf "$EF_RUN/evenflow.yaml"
ef_cluster_lb_conf 1
sed 's/^/    /' "$EF_RUN/lb1.yaml"
for ((i = 1; i <= EF_CLUSTER_LBS; i++)); do
	lb_join "$i"
done
all_paths
echo "  router# ip route show $(ef_cluster_vip_addrs | cut -d' ' -f1)"
ip -n "$EF_NS_RTR" route show "$(ef_cluster_vip_addrs | cut -d' ' -f1)" | sed 's/^/    /'

step "traffic: $RATE new connections a second for ${SECONDS_PER_PHASE}s, through all three LBs"
echo "  new flows of $VIP taken by each LB (evenflow stats), answers per backend, failed requests"
traffic_phase "all three"

step "lb$LEAVER leaves gracefully while the same traffic flows"
before=$(lb_counts)
traffic $((SECONDS_PER_PHASE + 2)) >"$EF_RUN/demo-leave.json" &
load=$!
sleep 1
lb_leave_begin "$LEAVER"
for vip in $(ef_cluster_vip_addrs); do
	ef_cluster_wait_not_via "$vip" "$LEAVER" 10
done
withdrawn=$(lb_counts)
echo "  the router no longer sends lb$LEAVER anything; its daemon drains $EF_CLUSTER_DRAIN"
ef_cluster_daemon_wait_exit "$LEAVER" 10
read -r -a drained <<<"$(lb_counts)"
lb_leave_end "$LEAVER"
wait "$load"
# a detached LB's counters went with its maps: keep what it had counted
read -r -a after <<<"$(lb_counts)"
after[LEAVER - 1]=${drained[LEAVER - 1]}
header phase
report "until lb$LEAVER withdrew" "$before" "$withdrawn" ""
report "from then on" "$withdrawn" "${after[*]}" "" "$LEAVER"
report "the whole run" "$before" "${after[*]}" "$(cat "$EF_RUN/demo-leave.json")"
echo "  router# ip route show $(ef_cluster_vip_addrs | cut -d' ' -f1)"
ip -n "$EF_NS_RTR" route show "$(ef_cluster_vip_addrs | cut -d' ' -f1)" | sed 's/^/    /'

step "lb$LEAVER comes back"
lb_join "$LEAVER"
all_paths
traffic_phase "all three again"

step "tear down"
ef_cluster_down
if ((STATUS == 0)); then
	echo "demo-cluster: OK"
else
	echo "demo-cluster: FAILED: a request failed, or an LB's traffic was not what the step says" >&2
fi
exit "$STATUS"
