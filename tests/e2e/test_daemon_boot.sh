#!/bin/bash
# Story (issue 12): from boot to forwarding with no manual step. The daemon
# started on an empty pin dir with a file whose `dataplane:` names the LB's
# device loads the data plane with the file's load-time settings, attaches
# it and serves; XDP taken off the device by hand, or `evenflow detach`, is
# undone within a check (2 s) with the configuration; the metric
# evenflow_attached{program="lb"} says so; a device dropped from the file
# on SIGHUP is detached; a device that does not exist is an error logged
# once, not a crash.
set -uo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=tests/e2e/daemon.sh
source "$(dirname "$0")/daemon.sh"

METRICS=127.0.0.1:9641
DEV=$EF_LB_CLIENT_DEV
e2e_up
trap 'ef_harness_down' EXIT
CONF=$EF_RUN/evenflow.yaml

# write_conf DEVICES: the file with `dataplane: devices: DEVICES` (YAML list)
write_conf() {
	cat >"$CONF" <<YAML
metrics: {listen: "$METRICS"}
dataplane:
  devices: $1
  conntrack-size: 65536
  udp-timeout: 45
vips:
  - address: 10.0.0.10
    port: 80
    backends:
      - address: $(ef_backend_ip4 1)
      - address: $(ef_backend_ip4 2)
      - address: $(ef_backend_ip4 3)
YAML
}
# ours: the device runs the pinned program
ours() { [[ -n $(on_device) && $(on_device) == "$(prog_id)" ]]; }
attached_metric() {
	ip netns exec "$EF_NS_LB" curl -s --max-time 2 "http://$METRICS/metrics" |
		awk -v d="$1" '$1 == "evenflow_attached{program=\"lb\",device=\"" d "\"}" {print $2}'
}

if out=$(ef_lb vip list 2>&1) || [[ $out != *"no data plane at"* ]]; then
	not_ok "before the daemon: no data plane at the pin dir" "$out"
else
	ok "before the daemon: no data plane at the pin dir"
fi
write_conf "[{device: $DEV, mode: native}]"
daemon_up "$CONF"
if t=$(within 10 ours) && serving; then
	ok "daemon on an empty pin dir: $DEV runs the data plane after ${t}s, serving"
else
	not_ok "daemon on an empty pin dir: attached and serving" \
		"device $(on_device), pinned $(prog_id); $(daemon_log | tail -5)"
fi
st=$(ef_lb -j status)
if jq -e '.conntrack_size == 65536 and .udp_timeout == 45' <<<"$st" >/dev/null; then
	ok "loaded with the file's settings (conntrack 65536, UDP idle 45 s)"
else
	not_ok "loaded with the file's settings" "$st"
fi
if [[ $(attached_metric "$DEV") == 1 ]]; then
	ok "evenflow_attached{program=\"lb\",device=\"$DEV\"} 1"
else
	not_ok "evenflow_attached for $DEV is 1" "$(attached_metric "$DEV")"
fi

# ---- XDP taken off by hand (the pins stay) ----
first=$(prog_id)
ip -n "$EF_NS_LB" link set dev "$DEV" xdp off
if t=$(within 10 ours) && [[ $(prog_id) == "$first" ]] && serving; then
	ok "xdp off by hand: program $first back on $DEV after ${t}s, serving"
else
	not_ok "xdp off by hand: back within 10 s" "device $(on_device); $(daemon_log | tail -5)"
fi

# ---- detach (the last device: the pins go) ----
check "evenflow detach $DEV" ef_lb detach "$DEV"
if t=$(within 10 ours) && [[ $(prog_id) != "$first" ]] && serving; then
	ok "detach: a new data plane ($(prog_id)) on $DEV after ${t}s, with the configuration"
else
	not_ok "detach: a new data plane attached within 10 s, serving" \
		"device $(on_device), pinned $(prog_id); $(daemon_log | tail -5)"
fi
if jq -e '.conntrack_size == 65536' <<<"$(ef_lb -j status)" >/dev/null; then
	ok "the new data plane has the file's conntrack-size"
else
	not_ok "the new data plane has the file's conntrack-size" "$(ef_lb -j status)"
fi

# ---- a device that does not exist ----
write_conf "[{device: $DEV}, {device: nosuchdev0}]"
kill -HUP "$DAEMON_PID"
missing_logged() { grep -q 'cannot attach LB to nosuchdev0' "$EF_RUN/daemon.log"; }
if within 10 missing_logged >/dev/null && [[ $(attached_metric nosuchdev0) == 0 ]] &&
	kill -0 "$DAEMON_PID" && serving; then
	ok "a missing device: logged, metric 0, still serving on $DEV"
else
	not_ok "a missing device: logged, metric 0, still serving" \
		"metric $(attached_metric nosuchdev0); $(daemon_log | tail -5)"
fi
sleep 4.5 # two more checks: logged once, not every 2 s
n=$(grep -c 'cannot attach LB to nosuchdev0' "$EF_RUN/daemon.log")
if ((n == 1)); then ok "logged once over 3 checks"; else not_ok "logged once over 3 checks" "$n lines"; fi

# ---- a device dropped from the file ----
write_conf "[]"
kill -HUP "$DAEMON_PID"
gone() { [[ -z $(on_device) ]]; }
if t=$(within 10 gone) && grep -q "LB detached from $DEV (no longer in the file)" "$EF_RUN/daemon.log"; then
	ok "SIGHUP with $DEV out of the file: detached after ${t}s"
else
	not_ok "SIGHUP with $DEV out of the file: detached" "device $(on_device); $(daemon_log | tail -5)"
fi
if daemon_stop >/dev/null; then ok "daemon stopped"; else not_ok "daemon stopped" "$(daemon_log | tail -3)"; fi
e2e_done
