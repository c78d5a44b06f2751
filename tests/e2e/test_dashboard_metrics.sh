#!/bin/bash
# Story (issue 16): every metric name the Grafana dashboard
# (contrib/evenflow-dashboard.json) and the alert rules
# (contrib/evenflow.rules.yml) use is one the daemons serve: the LB's daemon
# (VIPs, health checks, siblings) and a backend's (decap), each scraped live
# on /metrics, which also pass `promtool check metrics`.
set -uo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=tests/e2e/daemon.sh
source "$(dirname "$0")/daemon.sh"

VIP=10.0.0.10:80/tcp
LB_METRICS=127.0.0.1:9641
B_METRICS=127.0.0.1:9642
export EF_BACKENDS=1 EF_DECAP=0
e2e_up
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
NS_B1=$(ef_backend_ns 1)

cat >"$EF_RUN/lb.yaml" <<YAML
metrics: {listen: "$LB_METRICS"}
siblings:
  peers: ["http://127.0.0.1:9/metrics"]
vips:
  - address: 10.0.0.10
    port: 80
    health: {type: tcp}
    backends:
      - address: $(ef_backend_ip4 1)
YAML
cat >"$EF_RUN/b1.yaml" <<YAML
metrics: {listen: "$B_METRICS"}
decap:
  devices:
    - device: $EF_BACKEND_DEV
YAML
check "LB attached" ef_lb_attach
daemon_up "$EF_RUN/lb.yaml"
ip netns exec "$NS_B1" "$EVENFLOW" --pin-dir "$(ef_pin_dir_of b1)" daemon --config "$EF_RUN/b1.yaml" \
	</dev/null >"$EF_RUN/b1-daemon.log" 2>&1 &
echo "$! $(ef_proc_id "$!")" >>"$EF_RUN/pids"
scrape_lb() { ef_lb_exec curl -sf --max-time 2 "http://$LB_METRICS/metrics"; }
scrape_b1() { ip netns exec "$NS_B1" curl -sf --max-time 2 "http://$B_METRICS/metrics"; }
check "the LB's daemon serves /metrics" within 10 scrape_lb
check "the backend's daemon serves /metrics" within 10 scrape_b1
ef_client curl -s --max-time 2 "http://10.0.0.10/" >/dev/null # some traffic
lb=$(scrape_lb)
b1=$(scrape_b1)
check "the LB's page passes promtool check metrics" promtool check metrics <<<"$lb"
check "the backend's page passes promtool check metrics" promtool check metrics <<<"$b1"

# The names served: every TYPE line (a counter's name ends in _total here).
served=$(printf '%s\n%s\n' "$lb" "$b1" | awk '$1 == "#" && $2 == "TYPE" {print $3}' | sort -u)
for f in contrib/evenflow-dashboard.json contrib/evenflow.rules.yml; do
	used=$(grep -oE '\b(evenflow_[a-z0-9_]+|process_[a-z_]+)\b' "$ROOT/$f" | sort -u)
	missing=$(comm -23 <(echo "$used") <(echo "$served") | tr '\n' ' ')
	if [[ -n $used && -z $missing ]]; then
		ok "$f: its $(wc -l <<<"$used") metric names are all served"
	else
		not_ok "$f: every metric name is served" "not served: $missing"
	fi
done
e2e_done
