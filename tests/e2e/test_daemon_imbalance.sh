#!/bin/bash
# Story: the daemon watches the real shares. Three equal backends take
# traffic and nothing is logged; then the VIP's live table is overwritten
# behind everyone's back (bpftool: every slot -> backend 2). Under traffic
# the daemon logs one warning line naming the VIP, the backend and its
# share; once the table is rebuilt (a weight set through the CLI) it logs one
# line saying the VIP is back within tolerance.
set -uo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=tests/e2e/daemon.sh
source "$(dirname "$0")/daemon.sh"

VIP=10.0.0.10:80/tcp
BAD=$(ef_backend_ip4 2)

e2e_up
CONF=$EF_RUN/evenflow.yaml
cat >"$CONF" <<YAML
imbalance: {tolerance: 20%, factor: 2, window: 3s, min-flows: 50}
vips:
  - address: 10.0.0.10
    port: 80
    backends:
      - address: $(ef_backend_ip4 1)
      - address: $BAD
      - address: $(ef_backend_ip4 3)
YAML
check "attach" ef_lb_attach
daemon_up "$CONF"

# wait_log PATTERN SECONDS: while traffic runs, until the log has PATTERN.
wait_log() {
	local pat=$1 n=$(($2 * 10))
	while ((n-- > 0)); do
		grep -qE "$pat" "$EF_RUN/daemon.log" && return 0
		sleep 0.1
	done
	return 1
}

res=$(httpload http://10.0.0.10/ -n 400 -c 8 --rate 100 --timeout 3 --max-time 10)
if jq -e '.ok == 400' <<<"$res" >/dev/null && ! grep -q imbalance "$EF_RUN/daemon.log"; then
	ok "balanced traffic: no imbalance line"
else
	not_ok "balanced traffic: no imbalance line" "$res
$(daemon_log)"
fi

show=$(ef_lb -j vip show "$VIP")
map_id=$(jq -r '.vip.table_map_id' <<<"$show")
size=$(jq -r '.vip.table_size' <<<"$show")
bad_id=$(jq -r --arg a "$BAD" '.vip.backends[] | select(.addr == $a) | .id' <<<"$show")
# slot 0 holds the size; slots 1..size the backend ids (little-endian u32)
awk -v id="$map_id" -v m="$size" -v b="$bad_id" 'BEGIN {
	v = sprintf("%02x %02x %02x %02x", b % 256, int(b / 256) % 256, int(b / 65536) % 256, 0)
	for (i = 1; i <= m; i++)
		printf "map update id %d key hex %02x %02x %02x %02x value hex %s\n", id,
			i % 256, int(i / 256) % 256, int(i / 65536) % 256, 0, v
}' >"$EF_RUN/batch"
check "bpftool overwrites every slot with backend $BAD" ef_lb_exec bpftool batch file "$EF_RUN/batch"

httpload http://10.0.0.10/ -n 1000 -c 8 --rate 100 --timeout 3 --max-time 12 >/dev/null &
load=$!
want="^level=warning msg=\"imbalance: vip $VIP: backend $BAD takes [0-9]+% of new flows, expected 33%"
if wait_log "$want" 10; then
	ok "the daemon logs the imbalance, naming VIP, backend and share"
else
	not_ok "the daemon logs the imbalance, naming VIP, backend and share" "$(daemon_log)"
fi
wait "$load"
check "the table is rebuilt (backend set --weight 2)" ef_lb backend set "$VIP" "$BAD" --weight 2
httpload http://10.0.0.10/ -n 1000 -c 8 --rate 100 --timeout 3 --max-time 12 >/dev/null &
load=$!
if wait_log "^level=info msg=\"imbalance over: vip $VIP is back within tolerance\"$" 10; then
	ok "the daemon logs that the VIP is back within tolerance"
else
	not_ok "the daemon logs that the VIP is back within tolerance" "$(daemon_log)"
fi
wait "$load"
n=$(grep -c 'imbalance' "$EF_RUN/daemon.log")
if ((n == 2)); then
	ok "one line when it went out of balance, one when it came back"
else
	not_ok "one line when it went out of balance, one when it came back" "$(daemon_log)"
fi
daemon_stop
diag "$(daemon_log)"
e2e_done
