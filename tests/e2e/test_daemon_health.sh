#!/bin/bash
# Story: `evenflow daemon` health-checks the backends of its configuration
# file (HTTP, interval 1 s, fall 2, rise 2). Stopping one backend's server
# marks it down within fall x interval + 1 s, after which no new connection
# fails; starting it again marks it up after `rise` good checks, and it
# takes traffic again. Every change is one log line with a level. SIGTERM
# stops the daemon and leaves the data plane forwarding.
set -uo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=tests/e2e/daemon.sh
source "$(dirname "$0")/daemon.sh"

VIP=10.0.0.10:80/tcp
B2=$(ef_backend_ip4 2)
INTERVAL=1 FALL=2 RISE=2
LIMIT_DOWN=$((FALL * INTERVAL + 1))
LIMIT_UP=$((RISE * INTERVAL + 1))

e2e_up
CONF=$EF_RUN/evenflow.yaml
cat >"$CONF" <<YAML
health: {type: http, path: /, expect: 200, interval: ${INTERVAL}s, timeout: 500ms, rise: $RISE, fall: $FALL}
vips:
  - address: 10.0.0.10
    port: 80
    backends:
      - address: $(ef_backend_ip4 1)
      - address: $B2
      - address: $(ef_backend_ip4 3)
YAML
check "attach" ef_lb_attach
if daemon_start "$CONF"; then
	ok "daemon started and applied the file"
else
	not_ok "daemon started and applied the file" "$(daemon_log)"
	e2e_done
	exit 1
fi
res=$(httpload http://10.0.0.10/ -n 150 -c 8 --timeout 5 --max-time 30)
if jq -e '.ok == 150 and (.by_body.backend2 // 0) > 0' <<<"$res" >/dev/null; then
	ok "150 connections succeed, backend2 serves some"
else
	not_ok "150 connections succeed, backend2 serves some" "$res"
fi

check "stop backend2's server" kill_server 2
if took=$(wait_state "$VIP" "$B2" down "$LIMIT_DOWN"); then
	ok "backend2 marked down in ${took}s (limit fall x interval + 1 = ${LIMIT_DOWN}s)"
else
	not_ok "backend2 marked down within ${LIMIT_DOWN}s" "$took
$(daemon_log)"
fi
if grep -qE "^level=warning msg=\"backend $B2 of $VIP is unhealthy: $FALL http checks failed in a row \(connect: Connection refused\)\"$" "$EF_RUN/daemon.log" &&
	grep -qE "^level=warning msg=\"backend $B2 of $VIP marked down \(was up; operator: up, checks: unhealthy\)\"$" "$EF_RUN/daemon.log"; then
	ok "the daemon logged why and the change, one line each, with a level"
else
	not_ok "the daemon logged why and the change, one line each, with a level" "$(daemon_log)"
fi
res=$(httpload http://10.0.0.10/ -n 300 -c 8 --timeout 5 --max-time 30)
if jq -e '.ok == 300 and .failed == 0 and (.by_body.backend2 // 0) == 0' <<<"$res" >/dev/null; then
	ok "after that no new connection fails (300 of 300), none reaches backend2"
else
	not_ok "after that no new connection fails (300 of 300), none reaches backend2" "$res"
fi

check "start backend2's server again" start_server 2
if took=$(wait_state "$VIP" "$B2" up "$LIMIT_UP"); then
	ok "backend2 marked up in ${took}s (limit rise x interval + 1 = ${LIMIT_UP}s)"
else
	not_ok "backend2 marked up within ${LIMIT_UP}s" "$took
$(daemon_log)"
fi
if grep -qE "msg=\"backend $B2 of $VIP is healthy: $RISE http checks passed in a row\"" "$EF_RUN/daemon.log"; then
	ok "it came up after $RISE good checks"
else
	not_ok "it came up after $RISE good checks" "$(daemon_log)"
fi
res=$(httpload http://10.0.0.10/ -n 300 -c 8 --timeout 5 --max-time 30)
if jq -e '.ok == 300 and (.by_body.backend2 // 0) > 0' <<<"$res" >/dev/null; then
	ok "backend2 takes new connections again, none fails"
else
	not_ok "backend2 takes new connections again, none fails" "$res"
fi

if daemon_stop; then
	ok "SIGTERM: the daemon exits with status 0"
else
	not_ok "SIGTERM: the daemon exits with status 0" "$(daemon_log)"
fi
res=$(httpload http://10.0.0.10/ -n 100 -c 8 --timeout 5 --max-time 30)
if jq -e '.ok == 100' <<<"$res" >/dev/null; then
	ok "the data plane keeps forwarding without the daemon"
else
	not_ok "the data plane keeps forwarding without the daemon" "$res"
fi
diag "$(daemon_log)"
e2e_done
