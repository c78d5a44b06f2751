#!/bin/bash
# Story: `evenflow apply` of a large change (1000 backends over three VIPs:
# weights changed, backends replaced, a VIP added and one removed) is killed
# with SIGKILL at a random moment, 20 times, alternating between the two
# configurations. Each time the data plane holds either the old or the new
# configuration, never a mix (VIPs, every backend's weight and state, and
# every VIP's table digest compared), and the next apply completes.
set -uo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=tests/e2e/daemon.sh
source "$(dirname "$0")/daemon.sh"

ROUNDS=20
EF_SERVERS=0 e2e_up
DIR=$EF_RUN/conf
mkdir -p "$DIR"
# The backends live behind backend1 as far as the LB's routing goes.
ip -n "$EF_NS_LB" route add 10.201.0.0/16 via "$(ef_backend_ip4 1)"

# conf_a / conf_b: 1000 backends each, differing in almost every way.
vip() { printf '  - address: %s\n    port: 80\n    backends:\n' "$1"; }
be() { printf '      - {address: 10.201.%d.%d, weight: %d, state: %s}\n' "$1" "$2" "$3" "$4"; }
{
		echo "vips:"
	vip 10.0.0.10
	for i in $(seq 0 499); do be $((i / 250)) $((i % 250 + 1)) 1 up; done
	vip 10.0.0.11
	for i in $(seq 0 499); do be $((10 + i / 250)) $((i % 250 + 1)) 1 up; done
} >"$DIR/a.yaml"
{
		echo "vips:"
	vip 10.0.0.10
	for i in $(seq 0 499); do
		be $((i / 250)) $((i % 250 + 1)) $((i % 3 + 1)) "$( ((i % 7)) && echo up || echo drain)"
	done
	vip 10.0.0.12
	for i in $(seq 0 499); do be $((20 + i / 250)) $((i % 250 + 1)) 2 up; done
} >"$DIR/b.yaml"

# The configuration as the data plane runs it, by address (not by id).
signature() {
	local vip
	ef_lb -j vip list | jq -c '[.vips[] | {vip, forward, table_size, n_backends, n_up}]'
	ef_lb -j backend list | jq -c '[.backends[] | [.vip, .addr, .weight, .state]] | sort'
	for vip in $(ef_lb -j vip list | jq -r '.vips[].vip'); do
		ef_lb -j vip show "$vip" | jq -r '.vip.table_digest'
	done
}

check "configuration A applied (1000 backends)" ef_lb apply --force "$DIR/a.yaml"
sig_a=$(signature)
start=$(date +%s%N)
check "configuration B applied (1000 backends)" ef_lb apply --force "$DIR/b.yaml"
ms=$((($(date +%s%N) - start) / 1000000))
sig_b=$(signature)
if [[ $sig_a != "$sig_b" ]]; then
	ok "A and B differ"
else
	not_ok "A and B differ"
fi
diag "one apply of the change takes ${ms} ms; kills land in 0..$((ms * 6 / 5)) ms"

cur=b old=0 new=0 mixed=""
for ((r = 1; r <= ROUNDS; r++)); do
	[[ $cur == a ]] && next=b || next=a
	delay=$((RANDOM % (ms * 6 / 5 + 1)))
	ip netns exec "$EF_NS_LB" "$EVENFLOW" --pin-dir "$(ef_pin_dir_of lb)" \
		apply --force "$DIR/$next.yaml" >/dev/null 2>&1 &
	pid=$!
	sleep "$(printf '%d.%03d' $((delay / 1000)) $((delay % 1000)))"
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	sig=$(signature)
	if [[ $sig == "$sig_a" && $cur == a ]] || [[ $sig == "$sig_b" && $cur == b ]]; then
		old=$((old + 1))
	elif [[ $sig == "$sig_a" || $sig == "$sig_b" ]]; then
		new=$((new + 1))
		cur=$next
	else
		mixed+="round $r (kill after ${delay} ms, $cur -> $next): VIPs now $(head -n1 <<<"$sig" | cut -c1-400)"$'\n'
		break
	fi
done
if [[ -z $mixed ]]; then
	ok "$ROUNDS kills at random moments: old configuration $old times, new $new times, never a mix"
else
	not_ok "$ROUNDS kills at random moments: never a mix" "$mixed"
fi
[[ $cur == a ]] && next=b || next=a
check "after the kills, the next apply completes" ef_lb apply --force "$DIR/$next.yaml"
sig=$(signature)
if [[ $next == a && $sig == "$sig_a" ]] || [[ $next == b && $sig == "$sig_b" ]]; then
	ok "and the data plane runs exactly that configuration"
else
	not_ok "and the data plane runs exactly that configuration"
fi
e2e_done
