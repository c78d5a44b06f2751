#!/bin/bash
# Story (issue 12): a change that fits the limits once committed always
# commits, though both generations live side by side until the flip:
# 600 VIPs renumbered to 600 others, 1 VIP replaced by 1024 (the most),
# 9000 backends replaced by 9000 others; after each, the maps hold exactly
# the new configuration (no address or backend of the old one left over).
set -uo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "$0")/lib.sh"

EF_SERVERS=0 EF_DECAP=0 e2e_up
DIR=$EF_RUN/conf
mkdir -p "$DIR"
# The backends live behind backend1 as far as the LB's routing goes.
ip -n "$EF_NS_LB" route add 10.201.0.0/16 via "$(ef_backend_ip4 1)"
ip -n "$EF_NS_LB" route add 10.202.0.0/16 via "$(ef_backend_ip4 1)"

# vips FILE NET COUNT: COUNT VIPs 10.NET.x.y:80, one backend each.
vips() {
	"$(ef_python)" - "$@" <<'PY'
import sys
path, net, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
with open(path, "w") as f:
    f.write("vips:\n")
    for i in range(count):
        f.write(f"  - {{address: 10.{net}.{i // 250}.{i % 250 + 1}, port: 80, "
                f"backends: [{{address: 10.201.0.{i % 250 + 1}}}]}}\n")
PY
}
# backends FILE NET COUNT: one VIP with COUNT backends 10.NET.x.y.
backends() {
	"$(ef_python)" - "$@" <<'PY'
import sys
path, net, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
with open(path, "w") as f:
    f.write("vips:\n  - address: 10.0.0.10\n    port: 80\n    backends:\n")
    for i in range(count):
        f.write(f"      - {{address: 10.{net}.{i // 250}.{i % 250 + 1}}}\n")
PY
}
addrs_pinned() {
	ef_lb_exec bpftool -j map dump pinned "$(ef_pin_dir_of lb)/evenflow_vip_addrs" | jq length
}
# exactly N VIPs and N addresses in the VIP address map
exactly() { # exactly WHAT VIPS BACKENDS
	local v b a
	v=$(ef_lb -j vip list | jq '.vips | length')
	b=$(ef_lb -j backend list | jq '.backends | length')
	a=$(addrs_pinned)
	if ((v == $2 && b == $3 && a == $2)); then
		ok "$1: exactly $2 VIPs, $3 backends, $2 addresses in the map"
	else
		not_ok "$1: exactly $2 VIPs, $3 backends, $2 addresses" "$v VIPs, $b backends, $a addresses"
	fi
}

vips "$DIR/a600.yaml" 1 600
vips "$DIR/b600.yaml" 2 600
vips "$DIR/one.yaml" 3 1
vips "$DIR/c1024.yaml" 4 1024
check "600 VIPs" ef_lb apply "$DIR/a600.yaml"
exactly "600 VIPs" 600 600
check "renumbered to 600 others (both generations: 1200 addresses at once)" \
	ef_lb apply "$DIR/b600.yaml" --force
exactly "after the renumbering" 600 600
check "one VIP" ef_lb apply "$DIR/one.yaml" --force
check "replaced by 1024 others (the limit)" ef_lb apply "$DIR/c1024.yaml" --force
exactly "after 1 -> 1024" 1024 1024
out=$(ef_lb vip add 10.9.9.9:80/tcp 2>&1)
if (($? == 1)) && grep -qF "vip 10.9.9.9:80/tcp: 1024 VIPs at most" <<<"$out"; then
	ok "a 1025th VIP is refused, naming the limit"
else
	not_ok "a 1025th VIP is refused, naming the limit" "$out"
fi

backends "$DIR/a9000.yaml" 201 9000
backends "$DIR/b9000.yaml" 202 9000
check "9000 backends" ef_lb apply "$DIR/a9000.yaml" --force
exactly "9000 backends" 1 9000
check "replaced by 9000 others (more ids than the limit at once)" \
	ef_lb apply "$DIR/b9000.yaml" --force
exactly "after 9000 -> 9000" 1 9000
others=$(ef_lb -j backend list | jq '[.backends[] | select(.addr | startswith("10.201."))] | length')
if ((others == 0)); then
	ok "none of the old backends is left"
else
	not_ok "none of the old backends is left" "$others"
fi
e2e_done
