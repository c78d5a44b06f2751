#!/bin/bash
# Story (issue 16): what removing the Debian package does to a running data
# plane. debian/evenflow.prerm, run as dpkg runs it on removal, detaches the
# LB program from every device and the decap program on a backend (their
# pins go with the last device); on upgrade it leaves them forwarding.
set -uo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "$0")/lib.sh"

export EF_BACKENDS=1
e2e_up
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PATH=$(dirname "$EVENFLOW"):$PATH
export PATH

# prerm ROLE ARG: the maintainer script in ROLE's namespace, on its pin dir.
prerm() {
	local ns
	case $1 in
	lb) ns=$EF_NS_LB ;;
	b1) ns=$(ef_backend_ns 1) ;;
	esac
	ip netns exec "$ns" env EVENFLOW_PIN_DIR="$(ef_pin_dir_of "$1")" \
		LIBXDP_BPFFS="$(ef_bpffs_of "$1")" sh "$ROOT/debian/evenflow.prerm" "$2"
}
xdp_on() { ip -n "$1" -d link show dev "$2" | grep -q 'prog/xdp'; }

check "LB attached" ef_lb_attach
check "prerm upgrade" prerm lb upgrade
check "upgrade leaves the LB's data plane on to-client" xdp_on "$EF_NS_LB" to-client
check "prerm remove on the LB" prerm lb remove
check "the LB's program is off to-client" bash -c "! ip -n $EF_NS_LB -d link show dev to-client |
	grep -q prog/xdp"
check "no data plane pinned on the LB" grep -q '^loaded: *no' <(ef_lb status)
check "decap runs on backend1" xdp_on "$(ef_backend_ns 1)" "$EF_BACKEND_DEV"
check "prerm remove on backend1" prerm b1 remove
check "the decap program is off backend1's $EF_BACKEND_DEV" bash -c "! ip -n $(ef_backend_ns 1) \
	-d link show dev $EF_BACKEND_DEV | grep -q prog/xdp"
check "no decap program pinned on backend1" grep -q '^loaded: *no' \
	<(ef_backend_evenflow 1 decap status)
e2e_done
