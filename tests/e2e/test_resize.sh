#!/bin/bash
# Story (issue 12): a load-time setting changes on an attached data plane
# without detaching and without losing anything: `attach --conntrack-size`
# with another size, then `--udp-timeout` with another value, under 50
# long-lived TCP streams. The command says what happens before it does it
# (a new, empty connection table; a flow whose backend still holds its slot
# stays on it); the configuration is carried over (VIPs, backends, table
# digests identical); the device runs the new program; a reload that keeps
# the table's size keeps its flows; every stream completes.
set -uo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=tests/e2e/daemon.sh
source "$(dirname "$0")/daemon.sh"

VIP=10.0.0.10:80/tcp
STREAMS=50
e2e_up
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"; ef_harness_down' EXIT

check "VIP with 3 backends" e2e_vip "$VIP" "$(ef_backend_ip4 1)" "$(ef_backend_ip4 2)" \
	"$(ef_backend_ip4 3)"
check "attach" ef_lb_attach
before=$(conf_state)
size0=$(ef_lb -j status | jq -r .conntrack_size)
prog0=$(ef_lb -j status | jq -r .prog_id)

ef_client "$(ef_python)" "$SCRIPTS/streamload.py" http://10.0.0.10/ -n "$STREAMS" --seconds 12 \
	--interval 0.2 >"$tmp/streams.json" &
streams=$!
sleep 3

# resize WHAT SAYS ARGS...: attach again with ARGS; it must say SAYS (an
# extended regex) before doing it, and the configuration must come through.
resize() {
	local what=$1 says=$2 out
	shift 2
	out=$(ef_lb attach "$EF_LB_CLIENT_DEV" --mode "${EF_LB_MODE:-native}" "$@" 2>&1)
	if grep -qE "$says" <<<"$out"; then
		ok "$what: the command says what happens first"
	else
		not_ok "$what: the command says what happens first" "$out"
	fi
	if [[ $(conf_state | grep -v '^evenflow_conntrack') == "$(grep -v '^evenflow_conntrack' <<<"$before")" ]]; then
		ok "$what: the configuration is carried over (maps and table digests identical)"
	else
		not_ok "$what: the configuration is carried over" \
			"$(diff <(echo "$before") <(conf_state))"
	fi
}
resize "--conntrack-size $((size0 / 2))" \
	"warning: reloading the data plane attached to 1 device\(s\).*the connection table starts empty" \
	--conntrack-size $((size0 / 2))
size1=$(ef_lb -j status | jq -r .conntrack_size)
prog1=$(ef_lb -j status | jq -r .prog_id)
dev=$(ip -n "$EF_NS_LB" -j link show "$EF_LB_CLIENT_DEV" | jq -r '.[0].xdp.prog.id')
if ((size1 == size0 / 2)) && [[ $prog1 != "$prog0" && $dev == "$prog1" ]]; then
	ok "the device runs the new program ($prog0 -> $prog1), $size1 slots"
else
	not_ok "the device runs the new program" "slots $size0 -> $size1, program $prog0 -> $prog1, device $dev"
fi
sleep 2
flows=$(ef_lb -j status | jq -r .maps.conntrack)
resize "--udp-timeout 45" "the connection table and its flows are kept" --udp-timeout 45
kept=$(ef_lb -j status | jq -r .maps.conntrack)
if ((flows >= STREAMS && kept >= flows)); then
	ok "--udp-timeout: the connection table is the same one ($flows flows before, $kept after)"
else
	not_ok "--udp-timeout: the connection table is the same one" "$flows flows before, $kept after"
fi

wait "$streams"
res=$(jq -c '{by_outcome, backends: ([.connections[].backend] | group_by(.) |
	map({(.[0]): length}) | add)}' "$tmp/streams.json")
diag "streams: $res"
if jq -e --argjson n "$STREAMS" '.by_outcome.complete == $n' "$tmp/streams.json" >/dev/null; then
	ok "all $STREAMS streams complete through both reloads"
else
	not_ok "all $STREAMS streams complete through both reloads" \
		"$(jq -c '[.connections[] | select(.outcome != "complete")] | .[:10]' "$tmp/streams.json")"
fi
e2e_done
