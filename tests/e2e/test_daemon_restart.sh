#!/bin/bash
# Story: the daemon is restarted (SIGTERM, start again) twice and reloaded
# once (SIGHUP) while 30 long-lived connections stream through the LB and
# new connections arrive at 100 per second. No established connection is
# reset, no new one fails, and the restart commits nothing: the daemon picks
# the pinned state up as it is (same configuration maps before and after).
set -uo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=tests/e2e/daemon.sh
source "$(dirname "$0")/daemon.sh"

STREAMS=30
SECONDS_UNDER_LOAD=9

e2e_up
CONF=$EF_RUN/evenflow.yaml
cat >"$CONF" <<YAML
metrics: {listen: 127.0.0.1:9632}
health: {type: tcp, interval: 500ms, timeout: 300ms, rise: 2, fall: 2}
vips:
  - address: 10.0.0.10
    port: 80
    backends:
      - address: $(ef_backend_ip4 1)
      - address: $(ef_backend_ip4 2)
        weight: 2
      - address: $(ef_backend_ip4 3)
YAML
check "attach" ef_lb_attach
daemon_up "$CONF"
before=$(conf_state)

ip netns exec "$EF_NS_CLIENT" "$(ef_python)" "$SCRIPTS/streamload.py" http://10.0.0.10/stream \
	-n "$STREAMS" --seconds "$SECONDS_UNDER_LOAD" --interval 0.25 >"$EF_RUN/streams.json" 2>&1 &
streams=$!
ip netns exec "$EF_NS_CLIENT" "$(ef_python)" "$SCRIPTS/httpload.py" http://10.0.0.10/ \
	-n $((SECONDS_UNDER_LOAD * 100)) --rate 100 -c 16 --timeout 5 \
	--max-time $((SECONDS_UNDER_LOAD + 20)) >"$EF_RUN/load.json" 2>&1 &
load=$!

sleep 1.5
if daemon_stop; then ok "restart 1: stopped (status 0)"; else not_ok "restart 1: stopped (status 0)"; fi
if daemon_start "$CONF"; then ok "restart 1: started"; else not_ok "restart 1: started" "$(daemon_log)"; fi
sleep 1.5
kill -HUP "$DAEMON_PID"
sleep 1.5
if daemon_stop; then ok "restart 2: stopped (status 0)"; else not_ok "restart 2: stopped (status 0)"; fi
sleep 0.5
if daemon_start "$CONF"; then ok "restart 2: started"; else not_ok "restart 2: started" "$(daemon_log)"; fi
metrics=$(ip netns exec "$EF_NS_LB" curl -s --max-time 5 http://127.0.0.1:9632/metrics)
if grep -q '^evenflow_backend_new_flows_total{vip="10.0.0.10:80/tcp",backend="10.200.2.2"}' <<<"$metrics"; then
	ok "the daemon serves the metrics endpoint"
else
	not_ok "the daemon serves the metrics endpoint" "$(head -c 2000 <<<"$metrics")"
fi

wait "$streams"
wait "$load"
s=$(cat "$EF_RUN/streams.json")
if jq -e --argjson n "$STREAMS" '.by_outcome.complete == $n' <<<"$s" >/dev/null; then
	ok "all $STREAMS established connections streamed to the end (none reset)"
else
	not_ok "all $STREAMS established connections streamed to the end (none reset)" \
		"$(jq -c '.by_outcome' <<<"$s" 2>/dev/null || echo "$s")"
fi
l=$(cat "$EF_RUN/load.json")
if jq -e --argjson n $((SECONDS_UNDER_LOAD * 100)) '.ok == $n and .failed == 0 and .not_started == 0' <<<"$l" >/dev/null; then
	ok "no new connection failed ($(jq -r .ok <<<"$l") of $((SECONDS_UNDER_LOAD * 100)))"
else
	not_ok "no new connection failed" "$(jq -c 'del(.latency_ms)' <<<"$l" 2>/dev/null || echo "$l")"
fi
after=$(conf_state)
if [[ $after == "$before" ]]; then
	ok "the restarts committed nothing (configuration maps identical)"
else
	not_ok "the restarts committed nothing (configuration maps identical)" \
		"$(diff <(echo "$before") <(echo "$after"))"
fi
n=$(grep -c 'nothing to change' "$EF_RUN/daemon.log")
if ((n == 3)); then
	ok "two starts and one reload found nothing to change"
else
	not_ok "two starts and one reload found nothing to change" "$(daemon_log)"
fi
daemon_stop
diag "$(daemon_log)"
e2e_done
