#!/bin/bash
# Story: three LBs share the VIPs' traffic by ECMP. While 100 long-lived
# connections stream (50 to each VIP) and new connections arrive at 50 a
# second, one LB fails hard, then comes back; once per failure mode:
#   link     its link to the router goes down (the router sees no carrier)
#   kill     its BIRD is killed and its data plane detached (a crashed host)
#   silence  the router's end drops everything to and from it, links up (a
#            hung host, or a fault behind a switch: only BFD can tell)
# The router stops sending the LB traffic (and the LB's counters stop), then
# uses it again after it rejoins; no long-lived connection breaks, in either
# step, because every LB builds the same Maglev table: a flow that moves to
# an LB that never saw it is sent to the backend it already had. New
# connections that fail, the slowest one, and the router's reroute time are
# printed and kept as figures (BFD 100 ms x 3, hold time 3 s, `check link`
# on at the router).
# Last, the case that breaks flows: a weight change applied to every LB
# just before an LB is killed. Flows that move to another LB then take the
# new table's choice; each broken connection must be one the new table sends
# to another backend than the one it had.
set -uo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=tests/e2e/cluster.sh
source "$(dirname "$0")/cluster.sh"

LOAD_SECONDS=12

cluster_up
ef_cluster_monitor_start

fail() {
	case $1 in
	link) ef_cluster_link "$2" down ;;
	kill | weight) ef_cluster_lb_kill "$2" ;;
	silence) ef_cluster_silence "$2" on ;;
	esac
}

rejoin() {
	case $1 in
	link) ef_cluster_link "$2" up ;;
	kill | weight) ef_cluster_lb_start "$2" ;;
	silence) ef_cluster_silence "$2" off ;;
	esac
}

# packets of VIP4 and VIP6 through LB I so far
lb_packets() {
	echo $(($(lb_vip_counter "$1" "$VIP4:80/tcp" packets) + $(lb_vip_counter "$1" "[$VIP6]:80/tcp" packets)))
}

# LB I's packets over one second
lb_packets_1s() {
	local a
	a=$(lb_packets "$1")
	sleep 1
	echo $(($(lb_packets "$1") - a))
}

# After a weight change: how many streams the new table sends elsewhere
# (AT_RISK, the table's choice on LB 1, every LB holding the same table),
# and how many broke although the new table keeps their backend
# (UNEXPLAINED, each printed).
weight_breaks() {
	local sport backend vip outcome client
	AT_RISK=0
	UNEXPLAINED=0
	while read -r sport backend vip outcome; do
		client=$EF_CLIENT_IP4
		[[ $vip == \[* ]] && client=[$EF_CLIENT_IP6]
		if [[ $(lookup_name 1 "$vip" "$client:$sport" table) != "$backend" ]]; then
			AT_RISK=$((AT_RISK + 1))
		elif [[ $outcome != complete ]]; then
			diag "$vip client port $sport broke ($outcome), yet the new table keeps $backend"
			UNEXPLAINED=$((UNEXPLAINED + 1))
		fi
	done < <(jq -r '.[] | select(.backend != "") | "\(.sport) \(.backend) \(.vip) \(.outcome)"' \
		"$EF_RUN/streams.json")
}

lb=0
for mode in link kill silence weight; do
	lb=$((lb % EF_CLUSTER_LBS + 1))
	load_start "$LOAD_SECONDS"
	sleep 2
	if [[ $mode == weight ]]; then
		EF_CLUSTER_WEIGHTS=2 ef_cluster_conf "$EF_RUN/evenflow.yaml"
		check "weight: backend 1 weighs 2 on every LB" ef_cluster_apply "$EF_RUN/evenflow.yaml"
	fi
	before=$(lb_packets_1s "$lb")

	t0=$(now)
	fail "$mode" "$lb"
	router_left "$lb" "$t0" "$mode"
	sleep 0.5
	during=$(lb_packets_1s "$lb")
	if ((before > 0 && during == 0)); then
		ok "$mode: lb$lb carried traffic ($before packets/s) and then none"
	else
		not_ok "$mode: lb$lb carried traffic and then none" "before $before, during $during packets/s"
	fi

	sleep 0.5
	t1=$(now)
	rejoin "$mode" "$lb"
	if ef_cluster_wait_paths "$VIP4" "$EF_CLUSTER_LBS" 15 && ef_cluster_wait_paths "$VIP6" "$EF_CLUSTER_LBS" 5; then
		ok "$mode: lb$lb rejoined, the router uses it again"
	else
		not_ok "$mode: lb$lb rejoined, the router uses it again" "$(ef_birdc rtr show protocols)"
	fi
	back=$(ef_cluster_reroute_ms "$t1" "$VIP4")
	after=$(lb_packets_1s "$lb")
	drops=$(ef_lbi "$lb" -j stats | jq '[.verdicts | to_entries[] | select(.key | startswith("drop_")) | .value] | add')
	if ((after > 0 && drops == 0)); then
		ok "$mode: lb$lb carries traffic again ($after packets/s, no drop)"
	else
		not_ok "$mode: lb$lb carries traffic again, no drop" "$after packets/s; $(ef_lbi "$lb" stats)"
	fi

	load_wait
	t2=$(now)
	failed_fail=$(failed_between "$t0" "$t1")
	failed_rejoin=$(failed_between "$t1" "$t2")
	if [[ $mode == weight ]]; then
		weight_breaks
		if ((UNEXPLAINED == 0 && AT_RISK > 0)); then
			ok "weight: each of the $BROKEN broken connections is one of the $AT_RISK the new table sends to another backend"
		else
			not_ok "weight: the broken connections are among those the new table moves" \
				"$UNEXPLAINED broke although the table keeps their backend; $AT_RISK moved by the table"
		fi
		figure "weight change on every LB (backend 1: 1 -> 2), then lb$lb killed and back: broken $BROKEN/$STREAMS (of $AT_RISK whose backend the new table changes); new connections failed $FAILED of $REQUESTS"
		continue
	fi
	if ((BROKEN == 0)); then
		ok "$mode: none of the $STREAMS long-lived connections broke ($STREAMS_DONE streamed to the end)"
	else
		not_ok "$mode: none of the $STREAMS long-lived connections broke" "$(broken_streams)"
	fi
	((FAILED == 0)) || diag "failed new connections, time from the failure:
$(failed_requests "$t0")"
	figure "hard failover, $mode (lb$lb): broken $BROKEN/$STREAMS, new connections failed $failed_fail (rejoin $failed_rejoin) of $REQUESTS, slowest ${SLOWEST_MS} ms; router reroute ${REROUTE4} ms (IPv6 ${REROUTE6} ms), path back ${back} ms after the rejoin began"
done

diag "$(grep -h 'BFD\|session\|Down' "$EF_RUN"/bird/rtr.log | tail -n 20)"
e2e_done
