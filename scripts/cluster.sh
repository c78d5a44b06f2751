#!/bin/bash
# evenflow cluster harness: three load balancers behind one router that
# spreads each VIP's traffic over them by ECMP, as BGP (one BIRD 2 per
# namespace) tells it which LBs announce the VIP. Every role has its own
# network namespace; point-to-point veths, no bridge.
#
#   client ns                router ns                      LB ns i (1..3)
#   eth0 10.100.0.2/24 <---> to-client 10.100.0.1/24
#        fd00:100::2/64           fd00:100::1/64
#                            to-lb<i> 10.110.<i>.1/24 <---> uplink 10.110.<i>.2/24
#                                     fd00:110:<i>::1/64           fd00:110:<i>::2/64
#                            BIRD, AS 65000, BFD            evenflow XDP on uplink
#                            ECMP over the LBs              BIRD, AS 65001, BFD
#                            to-b<j> 10.200.<j>.1/24 <---> backend ns j (1..3)
#                                    fd00:200:<j>::1/64      eth0 10.200.<j>.2/24, fd00:200:<j>::2/64
#                                                            lo 10.0.0.10/32, fd00:10::10/128
#   (MTU 1600 on LB and backend links: room for IPIP / IP6IP6)
#
# A client packet to a VIP: router (multipath route, L4 hash policy 1 for
# IPv4 and IPv6) -> one LB, whose XDP program encapsulates it toward the
# backend Maglev picks and sends it back out of uplink (XDP_TX, one-arm) ->
# router -> backend (decap, VIP on lo) -> the reply, from the VIP, goes
# straight to the client through the router.
#
# Announcing: each LB runs `evenflow daemon` with a configuration holding
# `announce:` (it keeps one blackhole host route of protocol 239 per VIP
# address it can serve in kernel table 239, user/daemon/announce.h) and
# `siblings:` (the other LBs' /metrics, on their uplink addresses, port
# 9632). Each LB's BIRD learns table 239 and exports it to the router over
# one eBGP session carrying IPv4 and IPv6 (BFD 100 ms x 3, hold time 3 s,
# `check link` on the router). Every LB gets the same VIPs and backends.
#
# Every role reuses scripts/harness.sh: the backends are built by its
# ef_harness_build_backend (wired to the router), `ef_evenflow_in ROLE` runs
# the CLI in lb<i>, rtr or b<j> with that namespace's bpffs, and teardown is
# ef_harness_teardown. Names: <prefix>-client, -rtr, -lb<i>, -b<j>; prefix
# efc<pid><random> or EF_PREFIX; run dir /run/evenflow/<prefix> (BIRD's
# configs, sockets, pids and logs under bird/).
#
# Use as a library (tests, demo):
#   source scripts/cluster.sh
#   ef_cluster_up                 # topology, servers, decap, BIRDs; teardown trap
#   ef_cluster_conf "$EF_RUN/evenflow.yaml"   # both VIPs, every backend
#   ef_cluster_lb_start I         # daemon + attach (+ BIRD): I announces
#   ef_cluster_wait_paths 10.0.0.10 3 10
#   ef_client python3 scripts/httpload.py http://10.0.0.10/ -n 100
#   ef_cluster_lb_kill I | ef_cluster_lb_drain I | ef_cluster_link I down|up
#   ef_cluster_silence I on|off   # LB I cut off at the router, links still up
#   ef_cluster_down               # also run by the trap on exit, error, Ctrl-C
# Knobs (read by ef_cluster_up): EF_PREFIX, EF_CLUSTER_LBS (3), EF_BACKENDS
# (3), EF_VIPS4 (10.0.0.10), EF_VIPS6 (fd00:10::10), EF_CLUSTER_BFD
# ("100 3": interval ms and multiplier; "off"), EF_CLUSTER_HOLD (3 s),
# EF_CLUSTER_CHECK_LINK (on), EF_CLUSTER_DRAIN (the daemons' announce.drain,
# 2s), EF_CLUSTER_HEALTH (off; "on": tcp checks every 1 s, timeout 500 ms,
# rise 2, fall 2), EF_QUIET, EF_NO_TRAP, EVENFLOW.
#
# Run directly (stays up until `down`):
#   scripts/cluster.sh up [--start]     prints `export EF_PREFIX=...`;
#                                       --start: every LB started and announced
#   scripts/cluster.sh down [PREFIX]
#   scripts/cluster.sh exec client|rtr|lb<i>|b<j> CMD...
#   scripts/cluster.sh lb I EVENFLOW-ARGS...    evenflow in LB I
#   scripts/cluster.sh birdc rtr|lb<i> BIRDC-ARGS...
#   scripts/cluster.sh start|kill|drain I | link I up|down | silence I on|off
#   scripts/cluster.sh info
#   scripts/cluster.sh clean-stale [--all]

EF_CLUSTER_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=scripts/harness.sh
source "$EF_CLUSTER_DIR/harness.sh"

EF_STEM=efc
EF_RTR_CLIENT_DEV=to-client
EF_LB_UPLINK_DEV=uplink
EF_RTR_AS=65000
EF_LB_AS=65001
EF_ANNOUNCE_TABLE=239
EF_ANNOUNCE_PROTO=239
EF_METRICS_PORT=9632

# Addresses of LB i on its link to the router, and the router's end.
ef_cluster_lb_ip4() { echo "10.110.$1.2"; }
ef_cluster_lb_ip6() { echo "fd00:110:$1::2"; }
ef_cluster_rtr_ip4() { echo "10.110.$1.1"; }
ef_cluster_rtr_ip6() { echo "fd00:110:$1::1"; }
ef_cluster_rtr_dev() { echo "to-lb$1"; }
ef_cluster_lb_ns() { echo "$EF_PREFIX-lb$1"; }

ef_rtr() { ip netns exec "$EF_NS_RTR" "$@"; }
# ef_lbn I CMD...: CMD in LB I's namespace.
ef_lbn() {
	local i=$1
	shift
	ip netns exec "$(ef_cluster_lb_ns "$i")" "$@"
}
# ef_lbi I ARGS...: evenflow in LB I (its own pin dir and bpffs).
ef_lbi() {
	local i=$1
	shift
	ef_evenflow_in "lb$i" "$@"
}
# ef_birdc ROLE ARGS...: birdc on the BIRD of rtr or lb<i>.
ef_birdc() {
	local role=$1
	shift
	birdc -s "$EF_RUN/bird/$role.ctl" "$@"
}

ef_cluster_init_names() {
	if [[ -z ${EF_PREFIX:-} ]]; then
		EF_PREFIX=$(printf '%s%d%04x' "$EF_STEM" "$$" "$((RANDOM % 65536))")
	fi
	ef_harness_init_names || return
	EF_NS_RTR=$EF_PREFIX-rtr
	export EF_NS_RTR
}

# ef_cluster_up: everything but the LBs' data planes and announcements.
# Returns non-zero (after tearing down) on failure.
ef_cluster_up() {
	ef_cluster_init_names || return
	EF_CLUSTER_LBS=${EF_CLUSTER_LBS:-3}
	EF_BACKENDS=${EF_BACKENDS:-3}
	EF_VIPS4=${EF_VIPS4-10.0.0.10}
	EF_VIPS6=${EF_VIPS6-fd00:10::10}
	EF_CLUSTER_BFD=${EF_CLUSTER_BFD:-100 3}
	EF_CLUSTER_HOLD=${EF_CLUSTER_HOLD:-3}
	EF_CLUSTER_CHECK_LINK=${EF_CLUSTER_CHECK_LINK:-on}
	EF_CLUSTER_DRAIN=${EF_CLUSTER_DRAIN:-2s}
	EF_CLUSTER_HEALTH=${EF_CLUSTER_HEALTH:-off}
	export EF_CLUSTER_LBS EF_BACKENDS EF_VIPS4 EF_VIPS6 EF_CLUSTER_BFD EF_CLUSTER_HOLD \
		EF_CLUSTER_CHECK_LINK EF_CLUSTER_DRAIN EF_CLUSTER_HEALTH
	if ! [[ $EF_CLUSTER_LBS =~ ^[1-9]$ && $EF_BACKENDS =~ ^[0-9]+$ ]] ||
		((EF_BACKENDS < 1 || EF_BACKENDS > 250)); then
		ef_log "EF_CLUSTER_LBS must be 1..9 and EF_BACKENDS 1..250"
		return 2
	fi
	local tool
	for tool in bird birdc; do
		command -v "$tool" >/dev/null || {
			ef_log "no $tool: run make deps (bird2)"
			return 1
		}
	done
	[[ -x $EVENFLOW ]] || {
		ef_log "no $EVENFLOW: run make"
		return 1
	}
	ef_run_up ef_cluster_build ef_cluster_down scripts/cluster.sh
}

ef_cluster_roles() {
	local i
	echo rtr
	for ((i = 1; i <= EF_CLUSTER_LBS; i++)); do echo "lb$i"; done
	for ((i = 1; i <= EF_BACKENDS; i++)); do echo "b$i"; done
}

ef_cluster_build() {
	local i role
	ef_run_dir_init && mkdir -p "$EF_RUN/bird" || return
	ip netns add "$EF_NS_CLIENT" || return
	for role in $(ef_cluster_roles); do
		ip netns add "$EF_PREFIX-$role" || return
		ef_bpffs_mount "$role" || return
	done
	ip -n "$EF_NS_CLIENT" link set lo up || return
	ip -n "$EF_NS_RTR" link set lo up || return

	# The router: forwarding, ECMP by the L4 hash, replies come back asymmetric.
	ef_rtr sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 \
		net.ipv4.fib_multipath_hash_policy=1 net.ipv6.fib_multipath_hash_policy=1 \
		net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0 || return

	# the client, on the router's side that holds the harness's LB addresses
	ef_harness_build_client "$EF_NS_RTR" "$EF_RTR_CLIENT_DEV" || return

	for ((i = 1; i <= EF_CLUSTER_LBS; i++)); do
		ef_cluster_build_lb "$i" || return
	done
	for ((i = 1; i <= EF_BACKENDS; i++)); do
		ef_harness_build_backend "$i" "$EF_NS_RTR" || return
	done
	EF_SERVERS=1 EF_DECAP=1 ef_harness_start_backends || return
	ef_cluster_check || return

	ef_cluster_bird_rtr_conf >"$EF_RUN/bird/rtr.conf" || return
	ef_cluster_bird_start rtr || return
	for ((i = 1; i <= EF_CLUSTER_LBS; i++)); do
		ef_cluster_bird_lb_conf "$i" >"$EF_RUN/bird/lb$i.conf" || return
		ef_cluster_bird_start "lb$i" || return
	done
	ef_cluster_wait_sessions 20 || return
	ef_cluster_save_state
	if [[ ${EF_QUIET:-0} != 1 ]]; then
		ef_cluster_info >&2
	fi
}

ef_cluster_build_lb() {
	local i=$1 ns dev
	ns=$(ef_cluster_lb_ns "$i")
	dev=$(ef_cluster_rtr_dev "$i")
	ip -n "$ns" link set lo up || return
	ip -n "$EF_NS_RTR" link add "$dev" mtu "$EF_BACKEND_MTU" type veth \
		peer name "$EF_LB_UPLINK_DEV" netns "$ns" mtu "$EF_BACKEND_MTU" || return
	ef_addr_up "$EF_NS_RTR" "$dev" "$(ef_cluster_rtr_ip4 "$i")/24" "$(ef_cluster_rtr_ip6 "$i")/64" ||
		return
	ef_addr_up "$ns" "$EF_LB_UPLINK_DEV" "$(ef_cluster_lb_ip4 "$i")/24" \
		"$(ef_cluster_lb_ip6 "$i")/64" || return
	# forwarding: the data plane's FIB lookup needs it; backends via the
	# router. IPv6 addresses stay across a link flap (the kernel's default
	# drops them, and BGP then has no IPv6 next hop to give).
	ip netns exec "$ns" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 \
		net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0 \
		net.ipv6.conf.all.keep_addr_on_down=1 || return
	ef_cluster_lb_routes "$i" || return
	# XDP_TX out of uplink needs NAPI on its peer: an XDP program there. The
	# decap program passes every frame that is not a tunnel to the router.
	ef_evenflow_in rtr decap attach "$dev" >/dev/null || {
		ef_log "router: evenflow decap attach $dev failed"
		return 1
	}
}

# LB I's default routes, via the router (the backends are behind it).
ef_cluster_lb_routes() {
	local ns
	ns=$(ef_cluster_lb_ns "$1")
	ip -n "$ns" route replace default via "$(ef_cluster_rtr_ip4 "$1")" || return
	ip -n "$ns" -6 route replace default via "$(ef_cluster_rtr_ip6 "$1")"
}

ef_cluster_check() {
	local i
	ef_ping_check "$EF_NS_CLIENT" "$EF_LB_IP4" client || return
	for ((i = 1; i <= EF_CLUSTER_LBS; i++)); do
		ef_ping_check "$(ef_cluster_lb_ns "$i")" "$(ef_cluster_rtr_ip4 "$i")" "lb$i" || return
		ef_ping_check "$(ef_cluster_lb_ns "$i")" "$(ef_cluster_rtr_ip6 "$i")" "lb$i" || return
	done
	for ((i = 1; i <= EF_BACKENDS; i++)); do
		ef_ping_check "$(ef_backend_ns "$i")" "$EF_LB_IP4" "backend$i" || return
	done
}

# ---- BIRD ----

# BFD and timer lines shared by both ends of every session.
ef_cluster_bird_timers() {
	echo "		hold time $EF_CLUSTER_HOLD; keepalive time 1;"
	echo "		connect delay time 1; connect retry time 1; error wait time 1, 5;"
	[[ $EF_CLUSTER_BFD == off ]] || echo "		bfd on;"
}

ef_cluster_bird_bfd() {
	local ifaces=$1 ms mult
	[[ $EF_CLUSTER_BFD == off ]] && return 0
	read -r ms mult <<<"$EF_CLUSTER_BFD"
	cat <<EOF
protocol bfd {
	interface "$ifaces" { interval $ms ms; multiplier $mult; };
}
EOF
}

# The router: one session per LB; only host routes inside the VIP ranges are
# accepted from an LB, and equal routes from several LBs become one
# multipath kernel route (merge paths).
ef_cluster_bird_rtr_conf() {
	local i
	cat <<EOF
log "$EF_RUN/bird/rtr.log" all;
router id $EF_LB_IP4;
protocol device { }
protocol kernel {
	merge paths on;
	ipv4 { import none; export where source = RTS_BGP; };
}
protocol kernel {
	merge paths on;
	ipv6 { import none; export where source = RTS_BGP; };
}
$(ef_cluster_bird_bfd "to-lb*")
template bgp evenflow_lb {
	local as $EF_RTR_AS;
$(ef_cluster_bird_timers)
	check link $EF_CLUSTER_CHECK_LINK;
	ipv4 { import where net ~ [ $EF_VIP_NET4{32,32} ]; export none; };
	ipv6 { import where net ~ [ $EF_VIP_NET6{128,128} ]; export none; };
}
EOF
	for ((i = 1; i <= EF_CLUSTER_LBS; i++)); do
		echo "protocol bgp lb$i from evenflow_lb { neighbor $(ef_cluster_lb_ip4 "$i") as $EF_LB_AS; }"
	done
}

# LB i: learn evenflow's routes of the announcement table, export them, and
# nothing else; take nothing from the router.
ef_cluster_bird_lb_conf() {
	local i=$1
	cat <<EOF
log "$EF_RUN/bird/lb$i.log" all;
router id $(ef_cluster_lb_ip4 "$i");
protocol device { }
protocol kernel evenflow4 {
	kernel table $EF_ANNOUNCE_TABLE;
	learn;
	ipv4 { import where krt_source = $EF_ANNOUNCE_PROTO; export none; };
}
protocol kernel evenflow6 {
	kernel table $EF_ANNOUNCE_TABLE;
	learn;
	ipv6 { import where krt_source = $EF_ANNOUNCE_PROTO; export none; };
}
$(ef_cluster_bird_bfd "$EF_LB_UPLINK_DEV")
protocol bgp uplink {
	local $(ef_cluster_lb_ip4 "$i") as $EF_LB_AS;
	neighbor $(ef_cluster_rtr_ip4 "$i") as $EF_RTR_AS;
$(ef_cluster_bird_timers)
	ipv4 { import none; export where proto = "evenflow4"; };
	ipv6 { import none; export where proto = "evenflow6"; };
}
EOF
}

# ef_cluster_bird_start ROLE: BIRD in ROLE's namespace with its own paths.
ef_cluster_bird_start() {
	local role=$1 d=$EF_RUN/bird pid
	rm -f "$d/$role.pid"
	ip netns exec "$EF_PREFIX-$role" bird -c "$d/$role.conf" -s "$d/$role.ctl" \
		-P "$d/$role.pid" >>"$d/$role.out" 2>&1 || {
		ef_log "$role: bird did not start:"
		cat "$d/$role.out" >&2
		return 1
	}
	ef_harness_wait_file "$d/$role.pid" 5 || return
	pid=$(cat "$d/$role.pid") || return
	echo "$pid $(ef_proc_id "$pid")" >>"$EF_RUN/pids"
}

# ef_cluster_live_pid FILE: the PID FILE holds if that process runs (a
# zombie does not: PID 1 may reap a killed one late).
ef_cluster_live_pid() {
	local pid
	pid=$(cat "$1" 2>/dev/null) || return 1
	[[ -n $pid && -d /proc/$pid && $(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null) != Z ]] ||
		return 1
	echo "$pid"
}

# ef_cluster_bird_pid ROLE: the PID of ROLE's BIRD if it runs.
ef_cluster_bird_pid() { ef_cluster_live_pid "$EF_RUN/bird/$1.pid"; }

# ef_cluster_wait_sessions SECONDS [I...]: the router's sessions with LBs I
# (default all) are established.
ef_cluster_wait_sessions() {
	local limit=$1 i tries up
	shift
	local lbs=("$@")
	((${#lbs[@]})) || for ((i = 1; i <= EF_CLUSTER_LBS; i++)); do lbs+=("$i"); done
	tries=$((limit * 10))
	while ((tries-- > 0)); do
		up=0
		for i in "${lbs[@]}"; do
			ef_birdc rtr show protocols "lb$i" 2>/dev/null | grep -q Established &&
				up=$((up + 1))
		done
		((up == ${#lbs[@]})) && return 0
		sleep 0.1
	done
	ef_log "BGP sessions not established after ${limit}s:"
	ef_birdc rtr show protocols >&2
	return 1
}

# ---- LBs: configuration, daemon, data plane ----

# ef_cluster_conf FILE: a configuration with every VIP on port 80 and every
# backend of its family, backend j weighing the j-th word of
# EF_CLUSTER_WEIGHTS (default 1); with EF_CLUSTER_HEALTH=on, tcp checks of
# every backend. ef_cluster_lb_start runs each LB's daemon on it
# ($EF_RUN/evenflow.yaml, with the LB's own sections: ef_cluster_lb_conf).
ef_cluster_conf() {
	local f=$1
	local -a w
	read -r -a w <<<"${EF_CLUSTER_WEIGHTS:-}"
	# VIPS BACKEND-ADDRESS-FUNCTION: the VIPs of one family
	ef_cluster_conf_vips() {
		local vip i
		for vip in $1; do
			printf '  - address: %s\n    port: 80\n    backends:\n' "$vip"
			for ((i = 1; i <= EF_BACKENDS; i++)); do
				printf '      - address: %s\n        weight: %s\n' "$($2 "$i")" "${w[i - 1]:-1}"
			done
		done
	}
	{
		if [[ ${EF_CLUSTER_HEALTH:-off} == on ]]; then
			printf 'health: {type: tcp, interval: 1s, timeout: 500ms, rise: 2, fall: 2}\n'
		fi
		echo "vips:"
		ef_cluster_conf_vips "$EF_VIPS4" ef_backend_ip4
		ef_cluster_conf_vips "$EF_VIPS6" ef_backend_ip6
	} >"$f"
}

# The metrics endpoint of LB I's daemon (on its uplink address).
ef_cluster_metrics_url() { echo "http://$(ef_cluster_lb_ip4 "$1"):$EF_METRICS_PORT/metrics"; }

# ef_cluster_lb_conf I: $EF_RUN/lb<I>.yaml, the daemon's file: the shared
# configuration, LB I's metrics endpoint, the announcement, and the other
# LBs as siblings.
ef_cluster_lb_conf() {
	local i=$1 j f=$EF_RUN/lb$1.yaml
	[[ -f $EF_RUN/evenflow.yaml ]] || ef_cluster_conf "$EF_RUN/evenflow.yaml" || return
	{
		cat "$EF_RUN/evenflow.yaml"
		printf 'metrics: {listen: "%s:%s"}\n' "$(ef_cluster_lb_ip4 "$i")" "$EF_METRICS_PORT"
		printf 'announce: {table: %s, protocol: %s, drain: %s}\n' "$EF_ANNOUNCE_TABLE" \
			"$EF_ANNOUNCE_PROTO" "$EF_CLUSTER_DRAIN"
		printf 'siblings:\n  peers:\n'
		for ((j = 1; j <= EF_CLUSTER_LBS; j++)); do
			((j == i)) || printf '    - %s\n' "$(ef_cluster_metrics_url "$j")"
		done
	} >"$f.new" && mv "$f.new" "$f"
}

# ef_cluster_apply FILE [I...]: FILE's VIPs and backends on LBs I (default
# all), one after the other: each LB's daemon file is written again from FILE
# and applied with the CLI (at once; the daemon keeps it, and a reload or a
# restart finds nothing to change).
ef_cluster_apply() {
	local f=$1 i
	shift
	local lbs=("$@")
	((${#lbs[@]})) || for ((i = 1; i <= EF_CLUSTER_LBS; i++)); do lbs+=("$i"); done
	[[ $f == "$EF_RUN/evenflow.yaml" ]] || cp "$f" "$EF_RUN/evenflow.yaml" || return
	for i in "${lbs[@]}"; do
		if ! { ef_cluster_lb_conf "$i" && ef_lbi "$i" apply "$EF_RUN/lb$i.yaml" --force >/dev/null; }; then
			ef_log "lb$i: evenflow apply failed"
			return 1
		fi
	done
}

# The VIP addresses the LBs announce.
# shellcheck disable=SC2086 # one word per address
ef_cluster_vip_addrs() { echo $EF_VIPS4 $EF_VIPS6; }

# ef_cluster_daemon_pid I: the PID of LB I's daemon if it runs.
ef_cluster_daemon_pid() { ef_cluster_live_pid "$EF_RUN/lb$1.daemon.pid"; }

# ef_cluster_daemon_start I: `evenflow daemon` in LB I on lb<I>.yaml (log
# $EF_RUN/lb<I>.daemon.log); returns once it runs (10 s at most).
ef_cluster_daemon_start() {
	local i=$1 pid log=$EF_RUN/lb$1.daemon.log tries=200 before
	ef_cluster_lb_conf "$i" || return
	before=$(grep -c 'msg="running:' "$log" 2>/dev/null)
	rm -f "$EF_RUN/lb$i.daemon.pid"
	# not a child of the caller's shell (its bare `wait` must not wait for it)
	pid=$(
		ef_lbi "$i" daemon --config "$EF_RUN/lb$i.yaml" --force </dev/null >>"$log" 2>&1 &
		echo $!
	)
	while ((tries-- > 0)); do
		if (($(grep -c 'msg="running:' "$log") > ${before:-0})); then
			# the daemon's own PID (the one above is the shell running ef_lbi)
			pid=$(ef_lbi "$i" -j status | jq -r '.daemon.pid // empty')
			[[ -n $pid ]] || break
			echo "$pid" >"$EF_RUN/lb$i.daemon.pid"
			echo "$pid $(ef_proc_id "$pid")" >>"$EF_RUN/pids"
			return 0
		fi
		[[ -d /proc/$pid ]] || break
		sleep 0.05
	done
	ef_log "lb$i: the daemon did not start; its log:"
	tail -n 20 "$log" >&2
	return 1
}

# ef_cluster_lb_start I: LB I's daemon running (it applies the configuration
# and announces the VIPs once the data plane is attached), the data plane
# attached, its BIRD running: traffic reaches a data plane that is ready.
ef_cluster_lb_start() {
	local i=$1
	ef_cluster_daemon_pid "$i" >/dev/null || ef_cluster_daemon_start "$i" || return
	if ! ef_lbi "$i" status 2>/dev/null | grep -q "$EF_LB_UPLINK_DEV"; then
		ef_lbi "$i" attach "$EF_LB_UPLINK_DEV" --mode native >/dev/null || {
			ef_log "lb$i: evenflow attach failed"
			return 1
		}
	fi
	ef_cluster_bird_pid "lb$i" >/dev/null || ef_cluster_bird_start "lb$i"
}

# ef_cluster_lb_kill I: LB I dies at once, as a crashed host does: its daemon
# and its BIRD are killed (SIGKILL), its data plane detached, its
# announcement table gone.
ef_cluster_lb_kill() {
	local i=$1 pid
	pid=$(ef_cluster_daemon_pid "$i") && kill -KILL "$pid"
	pid=$(ef_cluster_bird_pid "lb$i") && kill -KILL "$pid"
	ef_lbi "$i" detach "$EF_LB_UPLINK_DEV" >/dev/null 2>&1
	ef_lbn "$i" ip route flush table "$EF_ANNOUNCE_TABLE" 2>/dev/null
	return 0
}

# ef_cluster_lb_leave I: SIGTERM to LB I's daemon, which withdraws its VIP
# addresses at once and drains (EF_CLUSTER_DRAIN) before it exits.
ef_cluster_lb_leave() {
	local pid
	pid=$(ef_cluster_daemon_pid "$1") || {
		ef_log "lb$1: no daemon runs"
		return 1
	}
	kill -TERM "$pid"
}

# ef_cluster_daemon_wait_exit I SECONDS: LB I's daemon has exited.
ef_cluster_daemon_wait_exit() {
	local tries=$(($2 * 20))
	while ((tries-- > 0)); do
		ef_cluster_daemon_pid "$1" >/dev/null || return 0
		sleep 0.05
	done
	ef_log "lb$1: the daemon still runs after ${2}s"
	return 1
}

# ef_cluster_lb_drain I: LB I leaves gracefully: SIGTERM to its daemon
# (withdraws, drains, exits: the router stops using it), then its BIRD stops
# and its data plane is detached.
ef_cluster_lb_drain() {
	local vip
	ef_cluster_lb_leave "$1" || return
	for vip in $(ef_cluster_vip_addrs); do
		ef_cluster_wait_not_via "$vip" "$1" 10 || return
	done
	ef_cluster_daemon_wait_exit "$1" 30 && ef_cluster_lb_stop "$1"
}

# ef_cluster_lb_stop I: LB I's BIRD stops (SIGTERM) and its data plane is
# detached (after its daemon has gone).
ef_cluster_lb_stop() {
	local pid
	pid=$(ef_cluster_bird_pid "lb$1") && kill -TERM "$pid"
	ef_lbi "$1" detach "$EF_LB_UPLINK_DEV" >/dev/null
}

# ef_cluster_link I down|up: LB I's link to the router, from the LB's side
# (the router's end loses carrier). The kernel drops the routes and the
# neighbour entries of a link that goes down; up, the routes come back as the
# host's network configuration would bring them, and the router's addresses
# are resolved again: the data plane forwards only to resolved neighbours
# (drop_no_neigh), and nothing else on the LB talks IPv6 to the router.
ef_cluster_link() {
	local i=$1
	ip -n "$(ef_cluster_lb_ns "$i")" link set "$EF_LB_UPLINK_DEV" "$2" || return
	[[ $2 == down ]] && return 0
	ef_cluster_lb_routes "$i" || return
	ef_lbn "$i" ping -c1 -W2 -q "$(ef_cluster_rtr_ip4 "$i")" >/dev/null
	ef_lbn "$i" ping -6 -c1 -W2 -q "$(ef_cluster_rtr_ip6 "$i")" >/dev/null
	return 0
}

# ef_cluster_silence I on|off: everything between the router and LB I is
# dropped at the router's end (nftables, netdev ingress and egress) while
# both links stay up: a host that hangs, or a fault behind a switch. Only
# BFD (or the hold timer) can tell.
ef_cluster_silence() {
	local i=$1 dev
	dev=$(ef_cluster_rtr_dev "$i")
	if [[ $2 == on ]]; then
		ip netns exec "$EF_NS_RTR" nft -f - <<EOF
table netdev silence_lb$i {
	chain in { type filter hook ingress device "$dev" priority 0; policy drop; }
	chain out { type filter hook egress device "$dev" priority 0; policy drop; }
}
EOF
	else
		ip netns exec "$EF_NS_RTR" nft delete table netdev "silence_lb$i"
	fi
}

# ---- Observing an LB's announcements ----

# ef_cluster_announced I: the addresses in LB I's announcement table, one a line.
ef_cluster_announced() {
	local fam
	for fam in -4 -6; do
		ef_lbn "$1" ip "$fam" route show table "$EF_ANNOUNCE_TABLE" proto "$EF_ANNOUNCE_PROTO" \
			2>/dev/null | awk '{print $2}'
	done
}

# ef_cluster_wait_announce I ADDR on|off SECONDS: LB I announces ADDR (or
# no longer does); polls every 20 ms.
ef_cluster_wait_announce() {
	local i=$1 addr=$2 want=$3 tries=$(($4 * 50)) has
	while ((tries-- > 0)); do
		has=off
		grep -qxF "$addr" <<<"$(ef_cluster_announced "$i")" && has=on
		[[ $has == "$want" ]] && return 0
		sleep 0.02
	done
	ef_log "lb$i: $addr announced: $has, wanted $want"
	return 1
}

# ---- Observing the router ----

# ef_cluster_paths ADDR: the LBs (numbers) the router sends ADDR's traffic to.
ef_cluster_paths() {
	local fam=-4 routes
	[[ $1 == *:* ]] && fam=-6
	# no route yet is an empty answer, not a failure (callers may run under
	# set -e and pipefail, where a grep that matches nothing would end them)
	routes=$(ip -n "$EF_NS_RTR" "$fam" route show "$1" 2>/dev/null) || routes=""
	grep -o 'dev to-lb[0-9]*' <<<"$routes" | sed 's/dev to-lb//' | sort -n | tr '\n' ' ' |
		sed 's/ $//' || true
}

# ef_cluster_wait_paths ADDR N SECONDS: the router has N paths for ADDR.
ef_cluster_wait_paths() {
	local addr=$1 n=$2 tries=$(($3 * 20)) p
	while ((tries-- > 0)); do
		p=$(ef_cluster_paths "$addr")
		(($(wc -w <<<"$p") == n)) && return 0
		sleep 0.05
	done
	ef_log "router: $addr via LBs '$p', wanted $n paths"
	return 1
}

# ef_cluster_wait_not_via ADDR I SECONDS: the router no longer uses LB I for ADDR.
ef_cluster_wait_not_via() {
	local addr=$1 i=$2 tries=$(($3 * 100))
	while ((tries-- > 0)); do
		[[ " $(ef_cluster_paths "$addr") " == *" $i "* ]] || return 0
		sleep 0.01
	done
	ef_log "router: $addr still via lb$i"
	return 1
}

# ef_cluster_monitor_start: the router's route changes, timestamped, into
# $EF_RUN/routes.log (ip -ts monitor: the kernel's own order of events).
ef_cluster_monitor_start() {
	local pid
	pid=$(
		ip netns exec "$EF_NS_RTR" ip -ts monitor route </dev/null >>"$EF_RUN/routes.log" 2>&1 &
		echo $!
	)
	echo "$pid $(ef_proc_id "$pid")" >>"$EF_RUN/pids"
	sleep 0.2 # subscribed before the caller acts
}

# ef_cluster_reroute_ms T0 ADDR: milliseconds from T0 (date +%s.%N) to the
# router's first change of ADDR's route after T0; "none" if there was none.
ef_cluster_reroute_ms() {
	local t0=$1 addr=$2 line ts
	while IFS= read -r line; do
		[[ $line =~ ^\[([0-9T:.-]+)\]\ (Deleted\ )?${addr}\  ]] || continue
		ts=$(date -d "${BASH_REMATCH[1]}" +%s.%N) || continue
		if awk -v a="$ts" -v b="$t0" 'BEGIN { exit !(a >= b) }'; then
			awk -v a="$ts" -v b="$t0" 'BEGIN { printf "%d\n", (a - b) * 1000 + 0.5 }'
			return 0
		fi
	done <"$EF_RUN/routes.log"
	echo none
}

# ---- State, info, teardown ----

ef_cluster_save_state() {
	ef_save_state EF_PREFIX EF_RUN EF_NS_CLIENT EF_NS_RTR EF_CLUSTER_LBS EF_BACKENDS EF_VIPS4 \
		EF_VIPS6 EF_CLUSTER_BFD EF_CLUSTER_HOLD EF_CLUSTER_CHECK_LINK EF_CLUSTER_DRAIN \
		EF_CLUSTER_HEALTH EVENFLOW
}

ef_cluster_info() {
	local i
	echo "cluster $EF_PREFIX (run dir $EF_RUN)"
	echo "  client  ns $EF_NS_CLIENT  $EF_CLIENT_DEV $EF_CLIENT_IP4/24 $EF_CLIENT_IP6/64"
	echo "  router  ns $EF_NS_RTR  $EF_RTR_CLIENT_DEV $EF_LB_IP4  AS $EF_RTR_AS  birdc -s $EF_RUN/bird/rtr.ctl"
	for ((i = 1; i <= EF_CLUSTER_LBS; i++)); do
		echo "  lb$i     ns $(ef_cluster_lb_ns "$i")  $EF_LB_UPLINK_DEV $(ef_cluster_lb_ip4 "$i") $(ef_cluster_lb_ip6 "$i")" \
			"<-> router $(ef_cluster_rtr_dev "$i")  AS $EF_LB_AS  pin dir $(ef_pin_dir_of "lb$i")"
	done
	for ((i = 1; i <= EF_BACKENDS; i++)); do
		echo "  backend$i ns $(ef_backend_ns "$i")  $EF_BACKEND_DEV $(ef_backend_ip4 "$i") $(ef_backend_ip6 "$i")"
	done
	echo "  VIPs: ${EF_VIPS4:-} ${EF_VIPS6:-}; announcement table $EF_ANNOUNCE_TABLE, protocol $EF_ANNOUNCE_PROTO"
	echo "  BFD: $EF_CLUSTER_BFD (ms, multiplier); hold time ${EF_CLUSTER_HOLD}s; router check link $EF_CLUSTER_CHECK_LINK"
	echo "  daemons: lb<i>.yaml, logs lb<i>.daemon.log in the run dir; metrics on each uplink address port $EF_METRICS_PORT; drain $EF_CLUSTER_DRAIN; health checks $EF_CLUSTER_HEALTH"
}

# The same teardown as harness.sh's: everything under the run's prefix.
ef_cluster_down() { ef_harness_down; }

ef_cluster_main() {
	set -euo pipefail
	local cmd=${1:-help} i
	shift || true
	case $cmd in
	up)
		EF_NO_TRAP=1
		ef_cluster_up || return
		echo manual >"$EF_RUN/owner"
		if [[ ${1:-} == --start ]]; then
			ef_cluster_conf "$EF_RUN/evenflow.yaml"
			for ((i = 1; i <= EF_CLUSTER_LBS; i++)); do
				ef_cluster_lb_start "$i" || {
					ef_cluster_down
					return 1
				}
			done
		fi
		echo "export EF_PREFIX=$EF_PREFIX"
		;;
	# the same teardown and leftovers as harness.sh's, under this stem
	down | clean-stale) ef_harness_main "$cmd" "$@" ;;
	help | -h | --help) ef_script_help "${BASH_SOURCE[0]}" ;;
	exec | lb | birdc | start | kill | drain | link | silence | info)
		ef_harness_load
		case $cmd in
		exec)
			local role=$1
			shift
			ip netns exec "$EF_PREFIX-$role" "$@"
			;;
		lb) ef_lbi "$@" ;;
		birdc) ef_birdc "$@" ;;
		start) ef_cluster_lb_start "$1" ;;
		kill) ef_cluster_lb_kill "$1" ;;
		drain) ef_cluster_lb_drain "$1" ;;
		link) ef_cluster_link "$1" "$2" ;;
		silence) ef_cluster_silence "$1" "$2" ;;
		info) ef_cluster_info ;;
		esac
		;;
	*)
		ef_log "unknown command $cmd (up, down, exec, lb, birdc, start, kill, drain, link, silence, info, clean-stale)"
		return 2
		;;
	esac
}

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
	ef_cluster_main "$@"
fi
