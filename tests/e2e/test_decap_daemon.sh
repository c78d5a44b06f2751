#!/bin/bash
# Story (issue 12): on a backend, `evenflow daemon` with a file holding only
# `decap:` attaches the decap program to the device it names and keeps it
# there. A VIP address added to the backend's lo later is decapsulated
# (served) with nothing re-run, and leaves the map when it is removed; the
# program detached by hand, or its pins deleted, is back within a check (2 s)
# and serving; a device that does not exist is an error logged once and a
# metric at 0, not a crash.
set -uo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "$0")/lib.sh"

VIP1=10.0.0.10:80/tcp
VIP2=10.0.0.20:80/tcp
METRICS=127.0.0.1:9640
export EF_BACKENDS=1 EF_DECAP=0
e2e_up
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"; ef_harness_down' EXIT
NS=$(ef_backend_ns 1)
PIN=$(ef_pin_dir_of b1)
CONF=$EF_RUN/backend1.yaml
LOG=$EF_RUN/backend1-daemon.log

cat >"$CONF" <<YAML
metrics: {listen: "$METRICS"}
decap:
  devices:
    - device: $EF_BACKEND_DEV
YAML

# served VIP: one request to the VIP answered by backend1 (2 s timeout).
served() {
	ef_client curl -s --max-time 2 "http://${1%%:*}/" | grep -q '^backend1'
}
decap_addrs() { ef_backend_evenflow 1 -j decap status | jq -r '.addresses[]'; }
attached_metric() {
	ip netns exec "$NS" curl -s --max-time 2 "http://$METRICS/metrics" |
		awk -v d="$EF_BACKEND_DEV" '$1 == "evenflow_attached{program=\"decap\",device=\"" d "\"}" {print $2}'
}

check "LB: $VIP1 and $VIP2 on backend1" e2e_vip "$VIP1" "$(ef_backend_ip4 1)"
check "LB: $VIP2" e2e_vip "$VIP2" "$(ef_backend_ip4 1)"
check "LB attached" ef_lb_attach
if served "$VIP1"; then
	not_ok "without decap on backend1 nothing is served" "$VIP1 answered"
else
	ok "without decap on backend1 nothing is served"
fi

ip netns exec "$NS" "$EVENFLOW" --pin-dir "$PIN" daemon --config "$CONF" </dev/null >"$LOG" 2>&1 &
daemon=$!
echo "$daemon $(ef_proc_id "$daemon")" >>"$EF_RUN/pids"
if t=$(within 10 served "$VIP1"); then
	ok "the daemon attaches decap from its file: $VIP1 served after ${t}s"
else
	not_ok "the daemon attaches decap from its file" "$(cat "$LOG")"
fi
if [[ $(attached_metric) == 1 ]]; then
	ok "evenflow_attached{program=decap,device=$EF_BACKEND_DEV} is 1"
else
	not_ok "evenflow_attached is 1" "$(attached_metric)"
fi

# ---- addresses learnt from the kernel ----
if served "$VIP2"; then
	not_ok "$VIP2 is not served before its address is on lo"
else
	ok "$VIP2 is not served before its address is on lo"
fi
ip -n "$NS" addr add 10.0.0.20/32 dev lo
if t=$(within 5 served "$VIP2"); then
	ok "10.0.0.20 added to lo: $VIP2 served after ${t}s with nothing re-run"
else
	not_ok "10.0.0.20 added to lo: $VIP2 served with nothing re-run" \
		"map: $(decap_addrs | paste -sd' '); $(tail -5 "$LOG")"
fi
ip -n "$NS" addr del 10.0.0.20/32 dev lo
addr_gone() { ! decap_addrs | grep -qx 10.0.0.20; }
if within 3 addr_gone >/dev/null; then
	ok "10.0.0.20 removed from lo: it leaves the decap map"
else
	not_ok "10.0.0.20 removed from lo: it leaves the decap map" "$(decap_addrs | paste -sd' ')"
fi

# ---- detached by hand, pins deleted: back within a check ----
check "decap detach by hand" ef_backend_evenflow 1 decap detach "$EF_BACKEND_DEV"
if t=$(within 5 served "$VIP1"); then
	ok "detached by hand: attached again, $VIP1 served after ${t}s"
else
	not_ok "detached by hand: attached again" "$(tail -5 "$LOG")"
fi
prog_before=$(ef_backend_evenflow 1 -j decap status | jq -r .prog_id)
ip netns exec "$NS" rm -rf "$PIN"
# replaced: a loaded program other than the one before runs on the device
replaced() {
	local now
	now=$(ef_backend_evenflow 1 -j decap status 2>/dev/null |
		jq -r 'select(.loaded) | .prog_id as $p | .devices[] | select(.name == "'"$EF_BACKEND_DEV"'") | $p')
	[[ -n $now && $now != "$prog_before" ]]
}
if t=$(within 10 replaced) && served "$VIP1"; then
	ok "pins deleted: a new program in place of the old after ${t}s, $VIP1 served"
else
	not_ok "pins deleted: a new program in place of the old" "$(tail -5 "$LOG")"
fi
if grep -qE "decap on $EF_BACKEND_DEV: program $prog_before, whose pins were gone, replaced" "$LOG"; then
	ok "the daemon logs the replacement"
else
	not_ok "the daemon logs the replacement" "$(tail -5 "$LOG")"
fi
ip -n "$NS" addr add 10.0.0.20/32 dev lo
if within 5 served "$VIP2" >/dev/null; then
	ok "the new program learns addresses too ($VIP2 served)"
else
	not_ok "the new program learns addresses too" "$(decap_addrs | paste -sd' ')"
fi

# ---- a device that does not exist ----
cat >"$CONF" <<YAML
metrics: {listen: "$METRICS"}
decap:
  devices:
    - device: $EF_BACKEND_DEV
    - device: nosuch0
YAML
kill -HUP "$daemon"
sleep 3
n=$(grep -c 'cannot attach decap to nosuch0' "$LOG")
m=$(ip netns exec "$NS" curl -s --max-time 2 "http://$METRICS/metrics" |
	awk '$1 == "evenflow_attached{program=\"decap\",device=\"nosuch0\"}" {print $2}')
if ((n == 1)) && [[ $m == 0 ]] && kill -0 "$daemon" && served "$VIP1"; then
	ok "a device that does not exist: one error line, metric 0, the others served"
else
	not_ok "a device that does not exist: one error line, metric 0" \
		"$n lines, metric '$m'; $(tail -5 "$LOG")"
fi
kill -TERM "$daemon"
wait "$daemon"
e2e_done
