#!/bin/bash
# Story (issue 16): `evenflow doctor` passes on the harness as built, on the
# LB and on a backend; then each set-up step is broken once (forwarding off,
# the neighbour of a backend gone, the MTU toward it too small; on the
# backend: the VIP off lo, decap detached, rp_filter strict, the MTU too
# small) and doctor exits 1 naming that step and no other, then passes again
# once it is put back. With a configuration: a device in another mode than
# it asks; with a daemon announcing the VIP address, maintenance (SIGUSR1)
# withdraws it: doctor names the announce step. Completion offers the live
# VIPs and backends.
set -uo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=tests/e2e/daemon.sh
source "$(dirname "$0")/daemon.sh"

VIP=10.0.0.10:80/tcp
export EF_BACKENDS=2
e2e_up
NS_B1=$(ef_backend_ns 1)
B1DEV=$EF_BACKEND_DEV
LBDEV=$(ef_lb_backend_dev 1)
e2e_vip "$VIP" "$(ef_backend_ip4 1)" "$(ef_backend_ip4 2)" || not_ok "VIP configured"
check "data plane attached" ef_lb_attach
for i in 1 2; do
	ef_lb_exec ping -c1 -W1 "$(ef_backend_ip4 "$i")" >/dev/null # neighbours resolved
done

# failed ROLE [ARGS...]: the steps doctor failed, sorted, comma-separated;
# "exit=N" first.
failed() {
	local role=$1 out rc
	shift
	out=$(ef_evenflow_in "$role" -j doctor "$@" 2>/dev/null)
	rc=$?
	echo "exit=$rc $(jq -r '[.steps[] | select(.result == "fail") | .step] | unique | join(",")' \
		<<<"$out")"
}
# expect_fail DESC WANT ROLE [ARGS...]: doctor on ROLE fails exactly WANT.
expect_fail() {
	local desc=$1 want=$2 got
	shift 2
	got=$(failed "$@")
	if [[ $got == "exit=1 $want" ]]; then
		ok "$desc: doctor names $want and nothing else"
	else
		not_ok "$desc: doctor names $want and nothing else" "got: $got
$(ef_evenflow_in "$1" doctor "${@:2}")"
	fi
}
expect_pass() {
	local desc=$1 got
	shift
	got=$(failed "$@")
	if [[ $got == "exit=0 " ]]; then
		ok "$desc"
	else
		not_ok "$desc" "got: $got
$(ef_evenflow_in "$1" doctor "${@:2}")"
	fi
}

expect_pass "doctor passes on the LB" lb
expect_pass "doctor backend passes on backend1" b1 backend "$VIP"
expect_pass "doctor backend with no VIP checks the addresses decap knows" b1 backend
out=$(ef_lb doctor)
check "the text output has a line per step" grep -q '^ok    neighbour' <<<"$out"

# ---- The LB ----
ef_lb_exec sysctl -qw net.ipv4.ip_forward=0
expect_fail "forwarding off" forwarding lb
ef_lb_exec sysctl -qw net.ipv4.ip_forward=1

ef_lb_exec ip neigh flush dev "$LBDEV"
expect_fail "neighbour of backend1 gone" neighbour lb
out=$(ef_lb doctor 2>&1)
check "a failed step prints its fix" grep -q '^      fix: check the link' <<<"$out"
ef_lb_exec ping -c1 -W1 "$(ef_backend_ip4 1)" >/dev/null

ef_lb_exec ip link set dev "$LBDEV" mtu 1500
expect_fail "MTU toward backend1 too small" mtu lb
ef_lb_exec ip link set dev "$LBDEV" mtu 1600
expect_pass "the LB passes again" lb

# ---- The LB's configuration: devices, modes, announcement ----
# conf MODE [ANNOUNCE]: the LB's file, its device in MODE, announce: if asked.
conf() {
	cat <<YAML
dataplane:
  devices:
    - {device: $EF_LB_CLIENT_DEV, mode: $1}
${2:+announce: {drain: 0s\}}
vips:
  - address: 10.0.0.10
    port: 80
    backends:
      - address: $(ef_backend_ip4 1)
      - address: $(ef_backend_ip4 2)
YAML
}
conf generic >"$EF_RUN/generic.yaml"
conf native announce >"$EF_RUN/lb.yaml"
expect_fail "a device in another mode than the configuration asks" attached lb \
	--config "$EF_RUN/generic.yaml"
expect_fail "announce: configured, no daemon running" announce lb --config "$EF_RUN/lb.yaml"
daemon_up "$EF_RUN/lb.yaml"
announced() { ef_lb_exec ip route show table 239 | grep -q '10.0.0.10'; }
check "the daemon announces 10.0.0.10" within 10 announced
expect_pass "doctor passes with the daemon's configuration (announced)" lb
kill -USR1 "$DAEMON_PID"
check "maintenance withdraws 10.0.0.10" within 10 bash -c "! ip netns exec $EF_NS_LB \
	ip route show table 239 | grep -q 10.0.0.10"
expect_fail "maintenance (SIGUSR1)" announce lb
kill -USR2 "$DAEMON_PID"
check "the address is back" within 10 announced
expect_pass "doctor passes again" lb
if daemon_stop >"$EF_RUN/stop"; then ok "daemon stopped"; else not_ok "daemon stopped" "$(cat "$EF_RUN/stop")"; fi

# ---- Backend 1 ----
ip -n "$NS_B1" addr del 10.0.0.10/32 dev lo
expect_fail "VIP off lo" vip-on-lo b1 backend "$VIP"
ip -n "$NS_B1" addr add 10.0.0.10/32 dev lo

ef_backend_evenflow 1 decap detach "$B1DEV"
expect_fail "decap detached" decap b1 backend "$VIP"
ef_backend_evenflow 1 decap attach "$B1DEV"

ip netns exec "$NS_B1" sysctl -qw net.ipv4.conf.all.rp_filter=1
expect_fail "rp_filter strict" rp_filter b1 backend "$VIP"
ip netns exec "$NS_B1" sysctl -qw net.ipv4.conf.all.rp_filter=0

ip -n "$NS_B1" link set dev "$B1DEV" mtu 1500
expect_fail "backend MTU too small" mtu b1 backend "$VIP"
ip -n "$NS_B1" link set dev "$B1DEV" mtu 1600

expect_fail "no service behind the VIP's port" probe b1 backend 10.0.0.10:81/tcp
expect_pass "backend1 passes again" b1 backend "$VIP"

# ---- Completion: the live VIPs and a VIP's backends ----
comp() {
	ip netns exec "$EF_NS_LB" bash -c '
		source contrib/evenflow.bash-completion
		COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
		_evenflow
		printf "%s\n" "${COMPREPLY[@]}"' _ "$@"
}
PATH=$(dirname "$EVENFLOW"):$PATH
export PATH
check "completion offers the live VIP" grep -qxF "$VIP" \
	<(comp evenflow --pin-dir "$(ef_pin_dir_of lb)" backend set "")
check "completion offers the VIP's backends" grep -qxF "$(ef_backend_ip4 2)" \
	<(comp evenflow --pin-dir "$(ef_pin_dir_of lb)" backend set "$VIP" "")
e2e_done
