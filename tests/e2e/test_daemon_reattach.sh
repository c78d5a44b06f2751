#!/bin/bash
# Story (issue 12): the daemon notices when the data plane under it is not
# the one it configured. `detach` + `attach` (a new, empty data plane) and
# `rm -r` of the pins (the program still attached, its maps out of reach)
# behind a running daemon: within 10 s the attached program serves the
# daemon's configuration again, and a backend that then fails its checks is
# marked down in the program that actually forwards.
set -uo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=tests/e2e/daemon.sh
source "$(dirname "$0")/daemon.sh"

VIP=10.0.0.10:80/tcp
B2=$(ef_backend_ip4 2)
e2e_up
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"; ef_harness_down' EXIT
CONF=$EF_RUN/evenflow.yaml
PIN=$(ef_pin_dir_of lb)
cat >"$CONF" <<YAML
health: {type: http, path: /, expect: 200, interval: 200ms, timeout: 200ms, rise: 2, fall: 2}
vips:
  - address: 10.0.0.10
    port: 80
    backends:
      - address: $(ef_backend_ip4 1)
      - address: $B2
      - address: $(ef_backend_ip4 3)
YAML


check "attach" ef_lb_attach
daemon_up "$CONF"
check "serving" serving

# ---- detach + attach: a new, empty data plane ----
first=$(prog_id)
check "detach (the last device: the pins go)" ef_lb detach "$EF_LB_CLIENT_DEV"
check "attach again (a new data plane, no VIP)" ef_lb_attach
if t=$(within 10 serving); then
	ok "detach + attach: serving the daemon's configuration again after ${t}s"
else
	not_ok "detach + attach: serving again within 10 s" "$(ef_lb vip list); $(daemon_log | tail -5)"
fi
second=$(prog_id)
if [[ -n $second && $second != "$first" ]] &&
	grep -qE "the data plane is a new one \(program $second, was $first" "$EF_RUN/daemon.log"; then
	ok "the daemon logs the new data plane ($first -> $second)"
else
	not_ok "the daemon logs the new data plane" "$first -> $second; $(daemon_log | tail -5)"
fi

# ---- pins deleted under it ----
ip netns exec "$EF_NS_LB" rm -r "$PIN"
replaced() {
	local now
	now=$(on_device)
	[[ -n $now && $now != "$second" && $now == "$(prog_id)" ]]
}
if t=$(within 10 replaced) && serving; then
	ok "pins deleted: a new data plane in place of program $second after ${t}s, serving"
else
	not_ok "pins deleted: a new data plane in place of the old" \
		"on the device: $(on_device), pinned: $(prog_id); $(daemon_log | tail -5)"
fi
third=$(prog_id)
if grep -qE "device $EF_LB_CLIENT_DEV: ran evenflow program $second, whose pins were gone: replaced by $third" \
	"$EF_RUN/daemon.log"; then
	ok "the daemon logs the replacement"
else
	not_ok "the daemon logs the replacement" "$(daemon_log | tail -5)"
fi

# ---- health reaches the program that forwards ----
check "stop backend2's server" kill_server 2
if took=$(wait_state "$VIP" "$B2" down 5); then
	ok "backend2 marked down in ${took}s"
else
	not_ok "backend2 marked down" "$took"
fi
res=$(httpload http://10.0.0.10/ -n 60 -c 6 --timeout 2 --max-time 20)
if jq -e '.ok == 60 and (.by_body.backend2 // 0) == 0' <<<"$res" >/dev/null; then
	ok "60 new connections after it: all served, none by backend2"
else
	not_ok "60 new connections after it: all served, none by backend2" "$res"
fi
if daemon_stop >"$tmp/stop"; then ok "daemon stopped"; else not_ok "daemon stopped" "$(cat "$tmp/stop")"; fi
e2e_done
