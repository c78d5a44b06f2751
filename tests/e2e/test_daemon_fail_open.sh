#!/bin/bash
# Story (issue 11): the health checker neither overrides the operator nor
# takes a healthy service down.
#  (a) a backend drained with the CLI whose server then fails and recovers
#      stays drained: the operator's state (admin) and the checker's verdict
#      (health) are two fields, and the daemon writes only the second;
#  (b) an nftables rule on the LB drops only the health checks: every check
#      fails, yet the VIP keeps serving (it fails open, keeping the last
#      good backends) and the alarm is raised (log, /metrics, status);
#  (c) 1100 idle connections to the metrics endpoint from an unprivileged
#      user, with the daemon held to 1024 open files: no backend is marked
#      down (the endpoint's connection limit, and a check this host cannot
#      make counts neither way).
set -uo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=tests/e2e/daemon.sh
source "$(dirname "$0")/daemon.sh"

VIP=10.0.0.10:80/tcp
B1=$(ef_backend_ip4 1) B2=$(ef_backend_ip4 2) B3=$(ef_backend_ip4 3)
METRICS=$EF_LB_IP4:9632
e2e_up
CONF=$EF_RUN/evenflow.yaml
cat >"$CONF" <<YAML
metrics: {listen: "$METRICS"}
health: {type: http, interval: 300ms, timeout: 200ms, rise: 2, fall: 2}
vips:
  - address: 10.0.0.10
    port: 80
    backends:
      - address: $B1
      - address: $B2
      - address: $B3
YAML
check "attach" ef_lb_attach
# (c) needs the daemon held to 1024 files: it cannot raise its limit.
daemon_start_limited() {
	local before tries=200
	before=$(grep -c 'msg="running:' "$EF_RUN/daemon.log" 2>/dev/null)
	ip netns exec "$EF_NS_LB" prlimit --nofile=1024:1024 "$EVENFLOW" \
		--pin-dir "$(ef_pin_dir_of lb)" daemon --config "$CONF" </dev/null \
		>>"$EF_RUN/daemon.log" 2>&1 &
	DAEMON_PID=$!
	echo "$DAEMON_PID $(ef_proc_id "$DAEMON_PID")" >>"$EF_RUN/pids"
	while ((tries-- > 0)); do
		(($(grep -c 'msg="running:' "$EF_RUN/daemon.log") > ${before:-0})) && return 0
		sleep 0.05
	done
	return 1
}
if ! daemon_start_limited; then
	not_ok "daemon started" "$(daemon_log)"
	e2e_done
	exit 1
fi
ok "daemon started (http checks every 300 ms, fall 2, rise 2; 1024 open files at most)"

# field ADDR KEY: a backend's field in `backend list -j`.
field() {
	ef_lb -j backend list "$VIP" | jq -r --arg a "$1" '.backends[] | select(.addr == $a) | .'"$2"
}
wait_field() { # wait_field ADDR KEY VALUE SECONDS
	local i
	for ((i = 0; i < $4 * 20; i++)); do
		[[ $(field "$1" "$2") == "$3" ]] && return 0
		sleep 0.05
	done
	return 1
}

# (a) The operator's drain survives a failure and a recovery.
check "(a) CLI: backend2 drained" ef_lb backend set "$VIP" "$B2" --state drain
check "(a) backend2's server stopped" kill_server 2
if wait_field "$B2" health unhealthy 5 && [[ $(field "$B2" admin) == drain ]] &&
	[[ $(field "$B2" state) == drain ]]; then
	ok "(a) backend2: admin drain, health unhealthy, still drain"
else
	not_ok "(a) backend2: admin drain, health unhealthy" "$(ef_lb -j backend list "$VIP")"
fi
check "(a) backend2's server back" start_server 2
if wait_field "$B2" health healthy 5 && [[ $(field "$B2" admin) == drain ]] &&
	[[ $(field "$B2" state) == drain ]]; then
	ok "(a) backend2: healthy again and still drained (the daemon did not undo the drain)"
else
	not_ok "(a) backend2 stays drained" "$(ef_lb -j backend list "$VIP"; tail -n 5 "$EF_RUN/daemon.log")"
fi
check "(a) CLI: backend2 up again" ef_lb backend set "$VIP" "$B2" --state up

# (b) Only the checks dropped, on the LB's own output.
ip netns exec "$EF_NS_LB" nft -f - <<'NFT'
table inet efcheckblock {
	chain out {
		type filter hook output priority 0;
		tcp dport 80 drop
	}
}
NFT
sleep 2 # fall x interval and more
res=$(httpload http://10.0.0.10/ -n 20 -c 4 --timeout 5 --max-time 30)
if jq -e '.ok == 20' <<<"$res" >/dev/null; then
	ok "(b) with every check dropped, the VIP still serves: 20/20 new connections"
else
	not_ok "(b) 20/20 new connections while the checks are dropped" "$res
$(ef_lb -j backend list "$VIP")"
fi
metrics=$(ip netns exec "$EF_NS_LB" curl -s --max-time 5 "http://$METRICS/metrics")
open=$(awk -v v="$VIP" '$1 == "evenflow_vip_fail_open{vip=\"" v "\"}" {print $2}' <<<"$metrics")
failing=$(awk '$1 == "evenflow_health_checker_failing" {print $2}' <<<"$metrics")
diag "fail open: ${open:-?}, checks this host cannot make: ${failing:-?}"
if [[ $open == 1 || ${failing:-0} -gt 0 ]]; then
	ok "(b) the alarm is raised in /metrics (fail open or the checker failing)"
else
	not_ok "(b) the alarm is raised in /metrics" "$(grep -E 'fail_open|checker_failing' <<<"$metrics")"
fi
status=$(ef_lb status)
if grep -qE "fail open: +$VIP|ALARM: the health checker is failing" <<<"$status"; then
	ok "(b) status says so"
else
	not_ok "(b) status says so" "$status"
fi
if grep -qE "vip $VIP fails open|the health checker is failing" "$EF_RUN/daemon.log"; then
	ok "(b) the daemon logs it"
else
	not_ok "(b) the daemon logs it" "$(tail -n 8 "$EF_RUN/daemon.log")"
fi
ip netns exec "$EF_NS_LB" nft delete table inet efcheckblock
if wait_field "$B1" health healthy 5 && wait_field "$B3" health healthy 5 &&
	[[ $(ef_lb -j vip list | jq -r '.vips[0].fail_open // false') != true ]]; then
	ok "(b) checks pass again once the rule goes"
else
	not_ok "(b) checks pass again once the rule goes" "$(ef_lb -j backend list "$VIP")"
fi

# (c) 1100 idle connections to /metrics from user nobody.
marks=$(grep -c 'marked down' "$EF_RUN/daemon.log")
ip netns exec "$EF_NS_CLIENT" setpriv --reuid=65534 --regid=65534 --clear-groups \
	"$(ef_python)" - "$EF_LB_IP4" 9632 <<'PY' >"$EF_RUN/idle.txt" 2>&1 &
import resource, socket, sys, time
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 4096), hard))
socks = []
for _ in range(1100):
    s = socket.socket()
    s.setblocking(False)
    try:
        s.connect((sys.argv[1], int(sys.argv[2])))
    except BlockingIOError:
        pass
    socks.append(s)
print(len(socks), "connections opened", flush=True)
time.sleep(6)
PY
idle=$!
sleep 6.5
wait "$idle"
diag "$(cat "$EF_RUN/idle.txt")"
if (($(grep -c 'marked down' "$EF_RUN/daemon.log") == marks)) &&
	[[ $(ef_lb -j backend list "$VIP" | jq -r '[.backends[].state] | unique | join(",")') == up ]]; then
	ok "(c) 1100 idle connections to /metrics: no backend marked down"
else
	not_ok "(c) no backend marked down" "$(tail -n 10 "$EF_RUN/daemon.log")"
fi
res=$(httpload http://10.0.0.10/ -n 20 -c 4 --timeout 5 --max-time 30)
if jq -e '.ok == 20' <<<"$res" >/dev/null; then
	ok "(c) and the VIP serves: 20/20 new connections"
else
	not_ok "(c) the VIP serves" "$res"
fi
if daemon_stop; then ok "daemon stopped"; else not_ok "daemon stopped"; fi
e2e_done
