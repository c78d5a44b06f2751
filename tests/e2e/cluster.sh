# shellcheck shell=bash disable=SC2034 # sets variables the stories read
# Shared by the cluster stories (sourced after lib.sh): scripts/cluster.sh's
# topology, a fresh one per test, and the load that the stories watch.
#
#   cluster_up                    cluster up (prefix efc...), the same
#                                 configuration on every LB, every LB's daemon
#                                 running and announcing, the router using all
#   lb_vip_counter I VIP FIELD    packets / new_flows of VIP on LB I
#   load_start SECONDS            long-lived connections (STREAMS, half to each
#                                 VIP) and new connections (RATE a second, half
#                                 to each VIP) from the client, in the background
#   load_wait                     waits for them; sets BROKEN, STREAMS_DONE,
#                                 FAILED, REQUESTS, SLOWEST_MS
#   failed_between T0 T1          new connections started in [T0, T1) that failed
#   figure TEXT                   prints "# figure: TEXT" and keeps it in
#                                 $BUILD/tests/cluster-figures.txt
# shellcheck source=scripts/cluster.sh
source "$SCRIPTS/cluster.sh"

VIP4=10.0.0.10
VIP6=fd00:10::10
URL4=http://$VIP4
URL6=http://[$VIP6]
STREAMS=${STREAMS:-100}
RATE=${RATE:-50}
FIGURES=$REPO/${BUILD:-build}/tests/cluster-figures.txt

cluster_up() {
	local log i vip
	if ((EUID != 0)); then
		not_ok "cluster up" "needs root"
		e2e_done
		exit 1
	fi
	unset EF_PREFIX
	ef_cluster_init_names
	log=$(mktemp)
	if EF_QUIET=1 ef_cluster_up >"$log" 2>&1 && ef_cluster_conf "$EF_RUN/evenflow.yaml" >>"$log" 2>&1; then
		for ((i = 1; i <= EF_CLUSTER_LBS; i++)); do
			ef_cluster_lb_start "$i" >>"$log" 2>&1 || break
		done
		for vip in $(ef_cluster_vip_addrs); do
			ef_cluster_wait_paths "$vip" "$EF_CLUSTER_LBS" 15 >>"$log" 2>&1 || i=0
		done
		if ((i > EF_CLUSTER_LBS)); then
			rm -f "$log"
			ok "cluster up: $EF_CLUSTER_LBS LBs announce $(ef_cluster_vip_addrs), the router spreads them over all"
			return 0
		fi
	fi
	not_ok "cluster up" "$(cat "$log"; ef_birdc rtr show protocols 2>&1)"
	rm -f "$log"
	e2e_done
	exit 1
}

# lookup_name I VIP-KEY CLIENT WHICH: the backend (backend<j>, or "none")
# that LB I's `evenflow lookup` names for the flow from CLIENT (ADDR:PORT):
# WHICH is "table" (the table's choice for a new flow) or "entry" (the
# flow's connection entry). Read by backend id through `backend list`.
lookup_name() {
	local look id addr j
	look=$(ef_lbi "$1" -j lookup "$2" "$3") || return
	case $4 in
	table) id=$(jq -r '.backend_id // ""' <<<"$look") ;;
	entry) id=$(jq -r '.conntrack.backend_id // ""' <<<"$look") ;;
	esac
	addr=$(ef_lbi "$1" -j backend list | jq -r --arg v "$2" --arg id "$id" \
		'.backends[] | select(.vip == $v and (.id | tostring) == $id) | .addr')
	for ((j = 1; j <= EF_BACKENDS; j++)); do
		if [[ -n $addr && ($addr == "$(ef_backend_ip4 "$j")" || $addr == "$(ef_backend_ip6 "$j")") ]]; then
			ef_backend_name "$j"
			return
		fi
	done
	echo none
}

# router_left I T0 STORY: one assertion: within 5 s the router uses LB I for
# neither VIP; sets REROUTE4 and REROUTE6, the milliseconds from T0 to the
# route changes.
router_left() {
	if ef_cluster_wait_not_via "$VIP4" "$1" 5 && ef_cluster_wait_not_via "$VIP6" "$1" 5; then
		ok "$3: the router stopped using lb$1"
	else
		not_ok "$3: the router stopped using lb$1" "$(ip -n "$EF_NS_RTR" route show "$VIP4")"
	fi
	REROUTE4=$(ef_cluster_reroute_ms "$2" "$VIP4")
	REROUTE6=$(ef_cluster_reroute_ms "$2" "$VIP6")
}

# lb_vip_counter I VIP-KEY FIELD: e.g. lb_vip_counter 2 10.0.0.10:80/tcp
# packets (0 while LB I holds no such VIP: a killed LB lost its state)
lb_vip_counter() {
	ef_lbi "$1" -j stats | jq -r --arg v "$2" --arg f "$3" \
		'[.vips[] | select(.vip == $v) | .[$f]] | add // 0'
}

# The client's tools, from the client namespace.
client_py() {
	local tool=$1
	shift
	ip netns exec "$EF_NS_CLIENT" "$(ef_python)" "$SCRIPTS/$tool" "$@"
}

load_start() {
	local secs=$1 fam url half=$((STREAMS / 2)) n
	n=$((secs * RATE / 2))
	LOAD_PIDS=()
	for fam in 4 6; do
		url=$URL4
		[[ $fam == 6 ]] && url=$URL6
		client_py streamload.py "$url/stream" -n "$half" --seconds "$secs" --interval 0.2 \
			>"$EF_RUN/streams.$fam.json" 2>&1 &
		LOAD_PIDS+=($!)
		client_py httpload.py "$url/" -n "$n" --rate $((RATE / 2)) -c 16 --timeout 3 \
			--max-time $((secs + 20)) --details >"$EF_RUN/load.$fam.json" 2>&1 &
		LOAD_PIDS+=($!)
	done
}

# The results of both families in one list each; a stream knows its VIP.
load_wait() {
	local pid
	for pid in "${LOAD_PIDS[@]}"; do
		wait "$pid"
	done
	jq -s --arg v4 "$VIP4:80/tcp" --arg v6 "[$VIP6]:80/tcp" \
		'[(.[0].connections[] | .vip = $v4), (.[1].connections[] | .vip = $v6)]' \
		"$EF_RUN/streams.4.json" "$EF_RUN/streams.6.json" >"$EF_RUN/streams.json" || return
	jq -s '[.[].details[]]' "$EF_RUN/load.4.json" "$EF_RUN/load.6.json" >"$EF_RUN/load.json" ||
		return
	STREAMS_DONE=$(jq '[.[] | select(.outcome == "complete")] | length' "$EF_RUN/streams.json")
	BROKEN=$(jq '[.[] | select(.outcome != "complete")] | length' "$EF_RUN/streams.json")
	REQUESTS=$(jq 'length' "$EF_RUN/load.json")
	FAILED=$(jq '[.[] | select(.ok | not)] | length' "$EF_RUN/load.json")
	SLOWEST_MS=$(jq -s '[.[].latency_ms.max] | max | floor' "$EF_RUN"/load.[46].json)
	rm -f "$EF_RUN"/streams.[46].json "$EF_RUN"/load.[46].json
}

# failed_between T0 T1: new connections started in [T0, T1) (wall clock) that failed.
failed_between() {
	jq --argjson a "$1" --argjson b "$2" \
		'[.[] | select(.t >= $a and .t < $b and (.ok | not))] | length' "$EF_RUN/load.json"
}

# The new connections that failed, relative to T0 (diagnostics).
failed_requests() {
	jq -c --argjson t "$1" '.[] | select(.ok | not) |
		{sport, error, connected, at: ((.t - $t) * 1000 | floor | tostring + " ms")}' \
		"$EF_RUN/load.json" | head -20
}

# The streams that did not complete, one line each (diagnostics).
broken_streams() {
	jq -c '.[] | select(.outcome != "complete")' "$EF_RUN/streams.json" | head -20
}

figure() {
	echo "# figure: $*"
	mkdir -p "$(dirname "$FIGURES")"
	echo "$(date -u +%FT%TZ) $(basename "$0" .sh): $*" >>"$FIGURES"
}

now() { date +%s.%N; }
