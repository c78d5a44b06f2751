#!/bin/bash
# make demo: a weighted VIP under real traffic, in a throw-away netns harness.
#
# Brings the harness up (scripts/harness.sh: a client, a load balancer, three
# backends running HTTP servers), configures VIP 10.0.0.10:80/tcp with the
# three backends weighted 1:1:2 *before* attaching, attaches evenflow in
# native XDP mode on the LB, sends 1000 HTTP requests from the client, each on
# a new TCP connection, and prints per backend its weight, expected share,
# requests served and actual share, then `evenflow stats`. Everything is torn
# down on exit. Exit status non-zero if any request failed or a share is more
# than 5 points off.
#   DEMO_REQUESTS (1000), DEMO_CONCURRENCY (16), DEMO_WEIGHTS ("1 1 2")
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=scripts/harness.sh
source "$HERE/harness.sh"

REQUESTS=${DEMO_REQUESTS:-1000}
CONCURRENCY=${DEMO_CONCURRENCY:-16}
read -r -a WEIGHTS <<<"${DEMO_WEIGHTS:-1 1 2}"
VIP=10.0.0.10:80/tcp
URL=http://10.0.0.10/
TOLERANCE=5 # points

if ((EUID != 0)); then
	echo "demo: needs root (network namespaces, XDP)" >&2
	exit 1
fi

step() { printf '\n== %s\n' "$*"; }
# run a command in the LB namespace, showing it first
lb() {
	printf '  lb# evenflow %s\n' "$*"
	ef_lb "$@"
}

unset EF_PREFIX # always a fresh harness of our own
step "harness: client, load balancer, ${#WEIGHTS[@]} backends"
EF_BACKENDS=${#WEIGHTS[@]} ef_harness_up 2>&1

step "configure the VIP and its backends (before attaching)"
lb vip add "$VIP"
for i in "${!WEIGHTS[@]}"; do
	lb backend add "$VIP" "$(ef_backend_ip4 $((i + 1)))" --weight "${WEIGHTS[$i]}"
done
lb backend list "$VIP"

step "attach the data plane to the LB's client-facing veth, native XDP"
lb attach "$EF_LB_CLIENT_DEV" --mode "${EF_LB_MODE:-native}"

step "$REQUESTS HTTP requests to $URL from the client, each on a new connection"
result=$(ef_client "$(ef_python)" "$HERE/httpload.py" "$URL" -n "$REQUESTS" \
	-c "$CONCURRENCY" --timeout 5 --max-time 120) || true
echo "  $result"

step "result"
total_weight=0
for w in "${WEIGHTS[@]}"; do
	total_weight=$((total_weight + w))
done
ok=$(jq -r '.ok' <<<"$result")
failed=$(jq -r '.failed + .not_started' <<<"$result")
stats=$(ef_lb -j stats)
off=0
printf '  %-12s %-10s %6s %9s %9s %9s %12s\n' backend name weight expected served actual "LB new flows"
for i in "${!WEIGHTS[@]}"; do
	n=$((i + 1))
	name=$(ef_backend_name "$n")
	addr=$(ef_backend_ip4 "$n")
	served=$(jq -r --arg b "$name" '.by_body[$b] // 0' <<<"$result")
	flows=$(jq -r --arg a "$addr" '[.backends[] | select(.addr == $a) | .new_flows] | add // 0' <<<"$stats")
	line=$(awk -v w="${WEIGHTS[$i]}" -v tw="$total_weight" -v s="$served" -v ok="$ok" -v tol="$TOLERANCE" '
		BEGIN {
			want = 100 * w / tw; got = ok ? 100 * s / ok : 0
			d = got - want; if (d < 0) d = -d
			printf "%8.1f%% %9d %8.1f%%", want, s, got
			exit (d > tol)
		}') || off=1
	printf '  %-12s %-10s %6s %s %12s\n' "$addr" "$name" "${WEIGHTS[$i]}" "$line" "$flows"
done
printf '  %d requests: %d answered, %d failed\n' "$REQUESTS" "$ok" "$failed"

step "evenflow stats"
lb stats

status=0
if ((failed > 0)); then
	echo "demo: FAILED: $failed of $REQUESTS requests failed: $(jq -c '.errors' <<<"$result")" >&2
	status=1
fi
if ((off)); then
	echo "demo: FAILED: a backend's share is more than $TOLERANCE points from its weight" >&2
	status=1
fi
step "tear down"
ef_harness_down
((status == 0)) && echo "demo: OK"
exit "$status"
