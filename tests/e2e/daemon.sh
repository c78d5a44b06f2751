# shellcheck shell=bash
# Shared by the configuration-file and daemon tests (sourced after lib.sh).
#
#   conf_state                 the running configuration as text (VIPs, backends,
#                              every VIP's table digest) and a digest of the
#                              dumps of every configuration map (bpftool)
#   daemon_start CONFIG ARGS   evenflow daemon in the LB namespace; DAEMON_PID;
#                              waits (10 s at most) for its "running" line
#   daemon_up CONFIG ARGS      daemon_start as the test's first step: "ok
#                              daemon started", else "not ok" and the test ends
#   daemon_stop                SIGTERM, waits (5 s at most); its exit status
#   daemon_log                 everything the daemons of this test logged
#   wait_state VIP ADDR STATE SECONDS   polls `backend list` every 50 ms;
#                              prints the seconds it took; non-zero on timeout
#   kill_server I / start_server I      backend I's HTTP server
#   serving                    30 new connections to http://10.0.0.10/, all answered
#   prog_id / on_device        the pinned LB program's id / the one on the
#                              LB's client-facing device (empty: none)

# The maps that hold the configuration (not counters, not the connection table).
CONF_MAPS="evenflow_gen evenflow_vip_info evenflow_vip_index evenflow_vip_addrs
evenflow_vip_filter evenflow_backends evenflow_maglev"

conf_state() {
	local vip m pin
	pin=$(ef_pin_dir_of lb)
	ef_lb -j vip list | jq -c '.vips[]'
	ef_lb -j backend list | jq -c '.backends[] | {vip, addr, weight, state, id, gen}'
	for vip in $(ef_lb -j vip list | jq -r '.vips[].vip'); do
		echo "$vip $(ef_lb -j vip show "$vip" | jq -r '.vip.table_digest')"
	done
	for m in $CONF_MAPS; do
		echo "$m $(ef_lb_exec bpftool -j map dump pinned "$pin/$m" | sha256sum | cut -c1-16)"
	done
}

daemon_log() {
	cat "$EF_RUN/daemon.log" 2>/dev/null
}

daemon_start() {
	local cfg=$1 before tries=200
	shift
	before=$(grep -c 'msg="running:' "$EF_RUN/daemon.log" 2>/dev/null)
	ip netns exec "$EF_NS_LB" "$EVENFLOW" --pin-dir "$(ef_pin_dir_of lb)" \
		daemon --config "$cfg" "$@" </dev/null >>"$EF_RUN/daemon.log" 2>&1 &
	DAEMON_PID=$!
	echo "$DAEMON_PID $(ef_proc_id "$DAEMON_PID")" >>"$EF_RUN/pids"
	while ((tries-- > 0)); do
		(($(grep -c 'msg="running:' "$EF_RUN/daemon.log") > ${before:-0})) && return 0
		kill -0 "$DAEMON_PID" 2>/dev/null || return 1
		sleep 0.05
	done
	return 1
}

daemon_up() {
	if ! daemon_start "$@"; then
		not_ok "daemon started" "$(daemon_log)"
		e2e_done
		exit 1
	fi
	ok "daemon started"
}

serving() {
	httpload http://10.0.0.10/ -n 30 -c 6 --timeout 2 --max-time 10 | jq -e '.ok == 30' >/dev/null
}

prog_id() { ef_lb -j status 2>/dev/null | jq -r '.prog_id // empty'; }

on_device() {
	ip -n "$EF_NS_LB" -j link show "$EF_LB_CLIENT_DEV" | jq -r '.[0].xdp.prog.id // empty'
}

daemon_stop() {
	local tries=100
	kill -TERM "$DAEMON_PID" 2>/dev/null || return 1
	while ((tries-- > 0)) && kill -0 "$DAEMON_PID" 2>/dev/null; do
		sleep 0.05
	done
	if kill -0 "$DAEMON_PID" 2>/dev/null; then
		echo "daemon $DAEMON_PID still running 5 s after SIGTERM"
		return 1
	fi
	wait "$DAEMON_PID" || {
		echo "daemon exited with status $?"
		return 1
	}
}

wait_state() {
	local vip=$1 addr=$2 want=$3 limit=$4 start now st
	start=$(date +%s.%N)
	while :; do
		st=$(ef_lb -j backend list "$vip" | jq -r --arg a "$addr" '.backends[] | select(.addr == $a) | .state')
		now=$(date +%s.%N)
		if [[ $st == "$want" ]]; then
			awk -v s="$start" -v e="$now" 'BEGIN { printf "%.2f\n", e - s }'
			return 0
		fi
		if awk -v s="$start" -v e="$now" -v l="$limit" 'BEGIN { exit !(e - s > l) }'; then
			echo "timeout (state $st)"
			return 1
		fi
		sleep 0.05
	done
}

# The PID of backend I's server (the one the harness started), from the run's list.
server_pid() {
	local pid id
	while read -r pid id; do
		[[ $(ef_proc_id "$pid" 2>/dev/null) == "$id" ]] || continue
		tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q -- "--name $(ef_backend_name "$1") " ||
			continue
		echo "$pid"
		return 0
	done <"$EF_RUN/pids"
	return 1
}

kill_server() {
	local pid
	pid=$(server_pid "$1") || return 1
	kill -TERM "$pid"
}

start_server() {
	ef_start_http_server "$(ef_backend_ns "$1")" "$(ef_backend_name "$1")" 80
}
