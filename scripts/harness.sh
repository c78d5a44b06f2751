#!/bin/bash
# evenflow netns harness: a client, a load balancer and N backends, each in its
# own network namespace, wired with point-to-point veths (no bridge).
#
#   client ns                 LB ns                          backend ns i (1..N)
#   eth0 10.100.0.2/24  <---> to-client 10.100.0.1/24
#        fd00:100::2/64            fd00:100::1/64
#                             to-b<i> 10.200.<i>.1/24  <--->  eth0 10.200.<i>.2/24
#                                     fd00:200:<i>::1/64       fd00:200:<i>::2/64
#                             (MTU 1600 both ends: room for IPIP / IP6IP6)
#                                                             lo   10.0.0.10/32, fd00:10::10/128
#
# - client: routes 10.0.0.0/24 and fd00:10::/64 (the VIP ranges) via the LB;
#   TX checksum offload off on eth0 (XDP redirect loses CHECKSUM_PARTIAL).
# - LB: IPv4 and IPv6 forwarding on; no VIP address locally (DSR replies from
#   the VIP are routed back through it to the client).
# - backends: the VIPs on lo, arp_ignore=1, arp_announce=2, rp_filter=0, a
#   default route via the LB, an HTTP server on 0.0.0.0:80 and [::]:80 that
#   answers with its name ("backend<i>"), and `evenflow decap attach eth0`
#   (which also gives eth0 the NAPI that the LB's redirect into to-b<i> needs).
# - Every namespace has its own bpffs, mounted once on the host under
#   /run/evenflow/<prefix>/bpf/<role> (a mount made inside `ip netns exec`
#   dies with that command); the evenflow pin dir is <that>/evenflow and
#   libxdp's dir is <that> (LIBXDP_BPFFS).
# Names: namespaces <prefix>-client, <prefix>-lb, <prefix>-b<i>; the prefix
# defaults to efh<pid><random>, or EF_PREFIX.
#
# Use as a library (tests, demo, benchmarks):
#   source scripts/harness.sh
#   ef_harness_up            # topology, servers, decap; installs a teardown trap
#   ef_lb vip add 10.0.0.10:80/tcp; ef_lb backend add 10.0.0.10:80/tcp 10.200.1.2
#   ef_lb_attach             # evenflow attach to-client --mode native, in the LB ns
#   ef_client python3 scripts/httpload.py http://10.0.0.10/ -n 100
#   ef_harness_down          # also run by the trap on exit, error, Ctrl-C
# Knobs (environment, read by ef_harness_up): EF_PREFIX, EF_BACKENDS (3),
# EF_VIPS4 ("10.0.0.10"), EF_VIPS6 ("fd00:10::10"), EF_SERVERS (1: start HTTP
# servers), EF_DECAP (1: attach decap on backends; 0: turn GRO on instead),
# EF_LB_MODE (native), EF_BACKEND_MTU (1600), EF_QUIET (1: no topology print),
# EF_NO_TRAP (1: caller handles teardown), EVENFLOW (the CLI binary; default
# $BUILD/evenflow, BUILD defaults to build), PYTHON.
# The trap replaces the caller's EXIT/INT/TERM traps; a caller with its own
# should set EF_NO_TRAP=1 and call ef_harness_down (idempotent) from it.
# More VIPs on a backend later: ef_backend_add_vip I ADDR (decap only knows
# the addresses the host held when `decap attach` last ran).
# Processes a caller starts in the namespaces are stopped at teardown too;
# ef_start_http_server NS NAME PORT starts another answering server.
#
# Run directly (manual use; the harness stays up until `down`):
#   scripts/harness.sh up [--backends N] [--attach]   prints `export EF_PREFIX=...`
#   scripts/harness.sh down [PREFIX]
#   scripts/harness.sh lb EVENFLOW-ARGS...             evenflow in the LB ns
#   scripts/harness.sh exec client|lb|b<i> CMD...
#   scripts/harness.sh info
#   scripts/harness.sh clean-stale [--all]             leftovers of dead runs

EF_HARNESS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
EF_REPO=$(cd "$EF_HARNESS_DIR/.." && pwd)
EF_RUN_ROOT=${EF_RUN_ROOT:-/run/evenflow}

# Fixed addressing plan (see the header).
EF_CLIENT_DEV=eth0
EF_LB_CLIENT_DEV=to-client
EF_BACKEND_DEV=eth0
EF_CLIENT_IP4=10.100.0.2
EF_LB_IP4=10.100.0.1
EF_CLIENT_IP6=fd00:100::2
EF_LB_IP6=fd00:100::1
EF_VIP_NET4=10.0.0.0/24
EF_VIP_NET6=fd00:10::/64
EF_BACKEND_MTU=${EF_BACKEND_MTU:-1600}

ef_log() { printf 'harness: %s\n' "$*" >&2; }

# Addresses of backend i (1-based) and of the LB on its link.
ef_backend_ip4() { echo "10.200.$1.2"; }
ef_backend_ip6() { echo "fd00:200:$1::2"; }
ef_lb_backend_ip4() { echo "10.200.$1.1"; }
ef_lb_backend_ip6() { echo "fd00:200:$1::1"; }
ef_lb_backend_dev() { echo "to-b$1"; }
ef_backend_name() { echo "backend$1"; }
ef_backend_ns() { echo "$EF_PREFIX-b$1"; }

# "pid starttime" of a process, to recognise it later despite PID reuse.
ef_proc_id() {
	local stat
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	stat=${stat##*) }
	# Fields after "comm)" start at field 3 (state); starttime is field 22.
	# shellcheck disable=SC2086
	set -- $stat
	echo "${20}"
}

ef_python() {
	if [[ -n ${PYTHON:-} ]]; then
		echo "$PYTHON"
	elif [[ -x /usr/bin/python3 ]]; then
		echo /usr/bin/python3
	else
		command -v python3
	fi
}

# ---- Running things in the namespaces ----

# ef_ns NS CMD...: CMD in namespace NS.
ef_ns() {
	local ns=$1
	shift
	ip netns exec "$ns" "$@"
}
ef_client() { ip netns exec "$EF_NS_CLIENT" "$@"; }
ef_lb_exec() { ip netns exec "$EF_NS_LB" "$@"; }
# ef_backend I CMD...
ef_backend() {
	local i=$1
	shift
	ip netns exec "$(ef_backend_ns "$i")" "$@"
}

# Pin dir and libxdp bpffs of a role (client, lb, b<i>).
ef_bpffs_of() { echo "$EF_RUN/bpf/$1"; }
ef_pin_dir_of() { echo "$EF_RUN/bpf/$1/evenflow"; }

# ef_evenflow_in ROLE ARGS...: the CLI in that role's namespace with its pin dir.
ef_evenflow_in() {
	local role=$1 ns
	shift
	case $role in
	client) ns=$EF_NS_CLIENT ;;
	lb) ns=$EF_NS_LB ;;
	b[0-9]*) ns=$(ef_backend_ns "${role#b}") ;;
	*)
		# another topology's role (scripts/cluster.sh: lb1, rtr): its namespace
		ns=$EF_PREFIX-$role
		if ! [[ -e /run/netns/$ns ]]; then
			ef_log "unknown role $role"
			return 2
		fi
		;;
	esac
	ip netns exec "$ns" env EVENFLOW_PIN_DIR="$(ef_pin_dir_of "$role")" \
		LIBXDP_BPFFS="$(ef_bpffs_of "$role")" \
		"$EVENFLOW" --pin-dir "$(ef_pin_dir_of "$role")" "$@"
}
# ef_lb ARGS...: evenflow in the LB namespace (e.g. ef_lb vip list).
ef_lb() { ef_evenflow_in lb "$@"; }
# ef_backend_evenflow I ARGS...: evenflow in backend I's namespace.
ef_backend_evenflow() {
	local i=$1
	shift
	ef_evenflow_in "b$i" "$@"
}
# ef_backend_add_vip I ADDR: another VIP on backend I's lo; re-runs decap
# attach, which reads the host's addresses only when it runs.
ef_backend_add_vip() {
	local i=$1 addr=$2 ns
	ns=$(ef_backend_ns "$i")
	if [[ $addr == *:* ]]; then
		ip -n "$ns" addr add "$addr/128" dev lo nodad || return
	else
		ip -n "$ns" addr add "$addr/32" dev lo || return
	fi
	if [[ ${EF_DECAP:-1} == 1 ]]; then
		ef_backend_evenflow "$i" decap attach "$EF_BACKEND_DEV" >/dev/null
	fi
}
ef_lb_attach() { ef_lb attach "$EF_LB_CLIENT_DEV" --mode "${EF_LB_MODE:-native}"; }

# ---- Bring up ----

ef_harness_init_names() {
	if [[ -z ${EF_PREFIX:-} ]]; then
		EF_PREFIX=$(printf 'efh%d%04x' "$$" "$((RANDOM % 65536))")
	fi
	if ! [[ $EF_PREFIX =~ ^[A-Za-z0-9]{2,20}$ ]]; then
		ef_log "EF_PREFIX must be 2-20 letters or digits: '$EF_PREFIX'"
		return 2
	fi
	EF_RUN=$EF_RUN_ROOT/$EF_PREFIX
	EF_NS_CLIENT=$EF_PREFIX-client
	EF_NS_LB=$EF_PREFIX-lb
	EVENFLOW=${EVENFLOW:-${BUILD:-build}/evenflow}
	[[ $EVENFLOW == /* ]] || EVENFLOW=$EF_REPO/$EVENFLOW
	export EF_PREFIX EF_RUN EF_NS_CLIENT EF_NS_LB EVENFLOW
}

# ef_harness_up: bring everything up. Returns non-zero (after tearing down)
# on failure.
ef_harness_up() {
	ef_harness_init_names || return
	EF_BACKENDS=${EF_BACKENDS:-3}
	EF_VIPS4=${EF_VIPS4-10.0.0.10}
	EF_VIPS6=${EF_VIPS6-fd00:10::10}
	export EF_BACKENDS EF_VIPS4 EF_VIPS6
	if ! [[ $EF_BACKENDS =~ ^[0-9]+$ ]] || ((EF_BACKENDS < 1 || EF_BACKENDS > 250)); then
		ef_log "EF_BACKENDS must be 1..250"
		return 2
	fi
	ef_run_up ef_harness_build ef_harness_down scripts/harness.sh
}

# ef_run_up BUILD DOWN SCRIPT: a run whose directory is new, torn down by
# DOWN on exit, error and Ctrl-C (unless EF_NO_TRAP=1), built by BUILD, and
# torn down at once if BUILD fails. SCRIPT names the script in messages.
ef_run_up() {
	local build=$1 down=$2
	if [[ -e $EF_RUN ]]; then
		ef_log "$EF_RUN exists: prefix $EF_PREFIX in use ($3 clean-stale?)"
		return 1
	fi
	if [[ ${EF_NO_TRAP:-0} != 1 ]]; then
		# shellcheck disable=SC2064 # the function's name, expanded now on purpose
		trap "$down" EXIT
		# shellcheck disable=SC2064
		trap "$down; exit 130" INT
		# shellcheck disable=SC2064
		trap "$down; exit 143" TERM
	fi
	if ! "$build"; then
		ef_log "bring-up failed; tearing down"
		"$down"
		return 1
	fi
}

# The run directory: owner (stale when this process is gone: clean-stale)
# and the list of processes teardown stops.
ef_run_dir_init() {
	mkdir -p "$EF_RUN/bpf" || return
	echo "$$ $(ef_proc_id $$)" >"$EF_RUN/owner"
	: >"$EF_RUN/pids"
}

# ef_bpffs_mount ROLE: a bpffs for ROLE's namespace, mounted on the host so
# it outlives each command, with the evenflow pin dir in it.
ef_bpffs_mount() {
	mkdir -p "$(ef_bpffs_of "$1")" || return
	mount -t bpf bpf "$(ef_bpffs_of "$1")" || return
	mkdir -p "$(ef_pin_dir_of "$1")"
}

ef_harness_build() {
	local i ns role
	ef_run_dir_init || return

	ip netns add "$EF_NS_CLIENT" || return
	ip netns add "$EF_NS_LB" || return
	for ((i = 1; i <= EF_BACKENDS; i++)); do
		ip netns add "$(ef_backend_ns "$i")" || return
	done

	for role in client lb $(for ((i = 1; i <= EF_BACKENDS; i++)); do echo "b$i"; done); do
		ef_bpffs_mount "$role" || return
	done

	for ns in "$EF_NS_CLIENT" "$EF_NS_LB"; do
		ip -n "$ns" link set lo up || return
	done

	ef_harness_build_client "$EF_NS_LB" "$EF_LB_CLIENT_DEV" || return
	ef_lb_exec sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 \
		net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0 || return

	for ((i = 1; i <= EF_BACKENDS; i++)); do
		ef_harness_build_backend "$i" || return
	done

	ef_harness_start_backends || return
	ef_harness_check || return
	ef_harness_save_state
	if [[ ${EF_QUIET:-0} != 1 ]]; then
		ef_harness_info >&2
	fi
}

# ef_addr_up NS DEV ADDR4/LEN ADDR6/LEN: both addresses on DEV (no DAD), DEV up.
ef_addr_up() {
	ip -n "$1" addr add "$3" dev "$2" || return
	ip -n "$1" addr add "$4" dev "$2" nodad || return
	ip -n "$1" link set "$2" up
}

# ef_harness_build_client UPSTREAM-NS DEV: the client's veth to DEV in
# UPSTREAM-NS (the LB's, or scripts/cluster.sh's router), which holds
# EF_LB_IP4/6 on it; the client routes the VIP ranges through it.
ef_harness_build_client() {
	local up=$1 dev=$2
	ip -n "$up" link add "$dev" type veth peer name "$EF_CLIENT_DEV" netns "$EF_NS_CLIENT" ||
		return
	ef_addr_up "$EF_NS_CLIENT" "$EF_CLIENT_DEV" "$EF_CLIENT_IP4/24" "$EF_CLIENT_IP6/64" || return
	ip -n "$EF_NS_CLIENT" route add "$EF_VIP_NET4" via "$EF_LB_IP4" || return
	ip -n "$EF_NS_CLIENT" -6 route add "$EF_VIP_NET6" via "$EF_LB_IP6" || return
	# XDP on the way would lose the partial checksums of offloaded segments
	ef_client ethtool -K "$EF_CLIENT_DEV" tx off >/dev/null || return

	ef_addr_up "$up" "$dev" "$EF_LB_IP4/24" "$EF_LB_IP6/64"
}

# The backends' HTTP servers (EF_SERVERS=1), then their decap program
# (EF_DECAP=1) or, without it, GRO on their veths.
ef_harness_start_backends() {
	local i
	if [[ ${EF_SERVERS:-1} == 1 ]]; then
		for ((i = 1; i <= EF_BACKENDS; i++)); do
			ef_harness_start_server "$i" || return
		done
		for ((i = 1; i <= EF_BACKENDS; i++)); do
			ef_harness_wait_file "$EF_RUN/backend$i.ready" 10 || {
				ef_log "backend$i server did not start; its log:"
				cat "$EF_RUN/backend$i.log" >&2
				return 1
			}
		done
	fi

	if [[ ${EF_DECAP:-1} == 1 ]]; then
		for ((i = 1; i <= EF_BACKENDS; i++)); do
			ef_backend_evenflow "$i" decap attach "$EF_BACKEND_DEV" >/dev/null || {
				ef_log "backend$i: evenflow decap attach $EF_BACKEND_DEV failed"
				return 1
			}
		done
	else
		# No XDP on the backend side: GRO gives the peers NAPI for redirects.
		for ((i = 1; i <= EF_BACKENDS; i++)); do
			ef_backend "$i" ethtool -K "$EF_BACKEND_DEV" gro on >/dev/null || return
		done
	fi
}

# ef_harness_build_backend I [UPSTREAM-NS]: backend I's namespace wired to the
# LB's (or to UPSTREAM-NS: scripts/cluster.sh wires backends to its router).
ef_harness_build_backend() {
	local i=$1 up=${2:-$EF_NS_LB} ns dev vip
	ns=$(ef_backend_ns "$i")
	dev=$(ef_lb_backend_dev "$i")
	ip -n "$ns" link set lo up || return
	ip -n "$up" link add "$dev" mtu "$EF_BACKEND_MTU" type veth \
		peer name "$EF_BACKEND_DEV" netns "$ns" mtu "$EF_BACKEND_MTU" || return
	ef_addr_up "$up" "$dev" "$(ef_lb_backend_ip4 "$i")/24" "$(ef_lb_backend_ip6 "$i")/64" || return
	ip netns exec "$up" sysctl -qw "net.ipv4.conf.$dev.rp_filter=0" || return

	ip netns exec "$ns" sysctl -qw net.ipv4.conf.all.arp_ignore=1 \
		net.ipv4.conf.all.arp_announce=2 net.ipv4.conf.all.rp_filter=0 \
		net.ipv4.conf.default.rp_filter=0 net.ipv4.conf.lo.rp_filter=0 || return
	ef_addr_up "$ns" "$EF_BACKEND_DEV" "$(ef_backend_ip4 "$i")/24" "$(ef_backend_ip6 "$i")/64" ||
		return
	ip netns exec "$ns" sysctl -qw "net.ipv4.conf.$EF_BACKEND_DEV.arp_ignore=1" \
		"net.ipv4.conf.$EF_BACKEND_DEV.arp_announce=2" \
		"net.ipv4.conf.$EF_BACKEND_DEV.rp_filter=0" || return
	for vip in $EF_VIPS4; do
		ip -n "$ns" addr add "$vip/32" dev lo || return
	done
	for vip in $EF_VIPS6; do
		ip -n "$ns" addr add "$vip/128" dev lo nodad || return
	done
	ip -n "$ns" route add default via "$(ef_lb_backend_ip4 "$i")" || return
	ip -n "$ns" -6 route add default via "$(ef_lb_backend_ip6 "$i")" || return
}

ef_harness_start_server() {
	local i=$1
	ef_start_http_server "$(ef_backend_ns "$i")" "$(ef_backend_name "$i")" 80 nowait
}

# ef_start_http_server NS NAME PORT [nowait]: backend_server.py in NS answering
# NAME on PORT (IPv4 and IPv6), logging its peers to $EF_RUN/NAME.conns;
# recorded so that teardown stops it. Waits
# until it listens unless "nowait" (then the caller waits for
# $EF_RUN/NAME.ready).
ef_start_http_server() {
	local ns=$1 name=$2 port=$3 pid id
	rm -f "$EF_RUN/$name.ready"
	# Started from a command substitution so that it is not a child of the
	# caller's shell (a caller's bare `wait` must not wait for the servers).
	pid=$(
		ip netns exec "$ns" "$(ef_python)" "$EF_HARNESS_DIR/backend_server.py" \
			--name "$name" --port "$port" --ready-file "$EF_RUN/$name.ready" \
			--conn-log "$EF_RUN/$name.conns" </dev/null >"$EF_RUN/$name.log" 2>&1 &
		echo $!
	)
	id=$(ef_proc_id "$pid") || {
		ef_log "server $name in $ns exited at once; its log:"
		cat "$EF_RUN/$name.log" >&2
		return 1
	}
	echo "$pid $id" >>"$EF_RUN/pids"
	[[ ${4:-} == nowait ]] && return 0
	ef_harness_wait_file "$EF_RUN/$name.ready" 10 || {
		ef_log "server $name in $ns did not start; its log:"
		cat "$EF_RUN/$name.log" >&2
		return 1
	}
}

# ef_harness_wait_file FILE SECONDS
ef_harness_wait_file() {
	local f=$1 tries=$(($2 * 20))
	while ((tries-- > 0)); do
		[[ -e $f ]] && return 0
		sleep 0.05
	done
	return 1
}

# ef_ping_check NS ADDR WHO: one ping from NS to ADDR, else "WHO cannot ping ADDR".
ef_ping_check() {
	ip netns exec "$1" ping -c1 -W2 -q "$2" >/dev/null && return 0
	ef_log "check failed: $3 cannot ping $2"
	return 1
}

# Wiring checks that do not involve the data plane.
ef_harness_check() {
	local i
	ef_ping_check "$EF_NS_CLIENT" "$EF_LB_IP4" client || return
	ef_ping_check "$EF_NS_CLIENT" "$EF_LB_IP6" client || return
	for ((i = 1; i <= EF_BACKENDS; i++)); do
		ef_ping_check "$(ef_backend_ns "$i")" "$(ef_lb_backend_ip4 "$i")" "backend$i" || return
		ef_ping_check "$(ef_backend_ns "$i")" "$(ef_lb_backend_ip6 "$i")" "backend$i" || return
	done
}

ef_harness_save_state() {
	ef_save_state EF_PREFIX EF_RUN EF_NS_CLIENT EF_NS_LB EF_BACKENDS EF_VIPS4 EF_VIPS6 EVENFLOW
}

# ef_save_state VAR...: the run's state file, read back by ef_harness_load.
ef_save_state() {
	local v
	for v in "$@"; do
		printf '%s=%q\n' "$v" "${!v}"
	done >"$EF_RUN/state"
}

# Print the topology and addresses.
ef_harness_info() {
	local i
	echo "harness $EF_PREFIX (run dir $EF_RUN)"
	echo "  client  ns $EF_NS_CLIENT  $EF_CLIENT_DEV $EF_CLIENT_IP4/24 $EF_CLIENT_IP6/64"
	echo "  lb      ns $EF_NS_LB  $EF_LB_CLIENT_DEV $EF_LB_IP4/24 $EF_LB_IP6/64  pin dir $(ef_pin_dir_of lb)"
	for ((i = 1; i <= EF_BACKENDS; i++)); do
		echo "  backend$i ns $(ef_backend_ns "$i")  $EF_BACKEND_DEV $(ef_backend_ip4 "$i")/24 $(ef_backend_ip6 "$i")/64" \
			"<-> lb $(ef_lb_backend_dev "$i") $(ef_lb_backend_ip4 "$i")"
	done
	echo "  VIPs on the backends' lo: ${EF_VIPS4:-} ${EF_VIPS6:-}"
}

# ---- Tear down (idempotent; safe on a half-built harness) ----

# ef_kill_recorded FILE: kill the "pid starttime" processes listed in FILE.
ef_kill_recorded() {
	local pid id tries live
	[[ -f $1 ]] || return 0
	live=()
	while read -r pid id; do
		[[ -n $pid && $(ef_proc_id "$pid" 2>/dev/null) == "$id" ]] || continue
		kill -TERM "$pid" 2>/dev/null && live+=("$pid")
	done <"$1"
	tries=40
	for pid in "${live[@]}"; do
		while ((tries > 0)) && kill -0 "$pid" 2>/dev/null; do
			sleep 0.05
			tries=$((tries - 1))
		done
		kill -KILL "$pid" 2>/dev/null || true
	done
}

# ef_harness_teardown PREFIX: remove everything of run PREFIX.
ef_harness_teardown() {
	local prefix=$1 run=$EF_RUN_ROOT/$1 ns pid mnt
	ef_kill_recorded "$run/pids"
	# Anything else still running inside this run's own namespaces was
	# started through the harness (e.g. a test's listener): stop it too.
	for ns in $(ip netns list 2>/dev/null | awk -v p="$prefix-" 'index($1, p) == 1 {print $1}'); do
		for pid in $(ip netns pids "$ns" 2>/dev/null); do
			kill -KILL "$pid" 2>/dev/null || true
		done
		ip netns del "$ns" 2>/dev/null || true
	done
	if [[ -d $run ]]; then
		# Unmount the deepest mounts first.
		for mnt in $(findmnt -rn -o TARGET | awk -v r="$run/" 'index($0, r) == 1' | sort -r); do
			umount "$mnt" 2>/dev/null || umount -l "$mnt" 2>/dev/null || true
		done
		rm -rf --one-file-system "$run"
	fi
}

ef_harness_down() {
	[[ -n ${EF_PREFIX:-} ]] || return 0
	ef_harness_teardown "$EF_PREFIX"
	if [[ ${EF_NO_TRAP:-0} != 1 ]]; then
		trap - EXIT INT TERM
	fi
	return 0
}

# Remove leftovers of runs whose owner is gone (--all: every run). Runs are
# those whose prefix starts with EF_STEM (efh; scripts/cluster.sh: efc).
ef_harness_clean_stale() {
	local all=${1:-} stem=${EF_STEM:-efh} prefix pid id dir ns n=0
	local -A seen=()
	if [[ -d $EF_RUN_ROOT ]]; then
		for dir in "$EF_RUN_ROOT/$stem"*; do
			[[ -d $dir ]] || continue
			prefix=${dir##*/}
			seen[$prefix]=1
			read -r pid id <"$dir/owner" 2>/dev/null || pid=
			if [[ $all != --all && $pid == manual ]]; then
				continue
			fi
			if [[ $all != --all && -n $pid && $(ef_proc_id "$pid" 2>/dev/null) == "$id" ]]; then
				continue
			fi
			ef_log "removing stale run $prefix"
			ef_harness_teardown "$prefix"
			n=$((n + 1))
		done
	fi
	# Namespaces of a run without a run dir (it is created before them).
	for ns in $(ip netns list 2>/dev/null | awk -v s="^${stem}[A-Za-z0-9]*-" '$1 ~ s {print $1}'); do
		prefix=${ns%%-*}
		[[ -z ${seen[$prefix]:-} ]] || continue
		seen[$prefix]=1
		ef_log "removing orphan namespaces of $prefix"
		ef_harness_teardown "$prefix"
		n=$((n + 1))
	done
	ef_log "clean-stale: $n run(s) removed"
}

# Load the state of a running harness (manual use).
ef_harness_load() {
	local prefix=${EF_PREFIX:-}
	if [[ -z $prefix ]]; then
		# The only run, if there is exactly one.
		local runs=("$EF_RUN_ROOT/${EF_STEM:-efh}"*/state)
		if ((${#runs[@]} == 1)) && [[ -f ${runs[0]} ]]; then
			prefix=$(basename "$(dirname "${runs[0]}")")
		else
			ef_log "which run? set EF_PREFIX"
			return 2
		fi
	fi
	if [[ ! -f $EF_RUN_ROOT/$prefix/state ]]; then
		ef_log "no harness $prefix"
		return 1
	fi
	# shellcheck source=/dev/null
	source "$EF_RUN_ROOT/$prefix/state"
}

# ef_script_help FILE: the comment block at the top of FILE, unindented.
ef_script_help() {
	sed -n '2,/^$/p' "$1" | sed 's/^# \{0,1\}//'
}

ef_harness_main() {
	set -euo pipefail
	local cmd=${1:-help}
	shift || true
	case $cmd in
	up)
		while (($#)); do
			case $1 in
			--backends)
				EF_BACKENDS=$2
				shift
				;;
			--attach) EF_UP_ATTACH=1 ;;
			*)
				ef_log "unknown option $1"
				return 2
				;;
			esac
			shift
		done
		EF_NO_TRAP=1
		ef_harness_up || return
		echo manual >"$EF_RUN/owner"
		if [[ ${EF_UP_ATTACH:-0} == 1 ]]; then
			ef_lb_attach || {
				ef_harness_down
				return 1
			}
		fi
		echo "export EF_PREFIX=$EF_PREFIX"
		;;
	down)
		EF_PREFIX=${1:-${EF_PREFIX:-}}
		[[ -n $EF_PREFIX ]] || {
			ef_log "down: which prefix?"
			return 2
		}
		EF_NO_TRAP=1
		ef_harness_down
		;;
	lb)
		ef_harness_load
		ef_lb "$@"
		;;
	exec)
		ef_harness_load
		local role=$1
		shift
		case $role in
		client) ef_client "$@" ;;
		lb) ef_lb_exec "$@" ;;
		b[0-9]*) ef_backend "${role#b}" "$@" ;;
		*)
			ef_log "exec: role is client, lb or b<i>"
			return 2
			;;
		esac
		;;
	info)
		ef_harness_load
		ef_harness_info
		;;
	clean-stale) ef_harness_clean_stale "${1:-}" ;;
	help | -h | --help) ef_script_help "${BASH_SOURCE[0]}" ;;
	*)
		ef_log "unknown command $cmd (up, down, lb, exec, info, clean-stale)"
		return 2
		;;
	esac
}

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
	ef_harness_main "$@"
fi
