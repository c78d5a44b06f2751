#!/bin/bash
# Story: sibling agreement. Three LBs' daemons poll each other's /metrics
# (siblings: interval 2 s, grace 10 s, the defaults) and compare every VIP's
# fingerprint with their own.
#   1. They agree: `evenflow check --peer` says so (exit 0), no alarm.
#   2. A rolling change (a weight changed on the three LBs one after the
#      other, 3 s apart) raises no alarm: each difference lasts less than
#      the grace.
#   3. One weight changed on lb2 alone: within 15 s lb1 logs an alarm naming
#      the VIP and lb2, evenflow_sibling_mismatch{vip,peer} is 1 there (0 for
#      the other VIP and for lb3), `status` shows it, and `check --peer`
#      against lb2 exits 1 naming both (against lb3: 0).
#   4. The weight set back: the alarm clears (a log line, the metric 0).
# The times are printed and kept as figures.
set -uo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=tests/e2e/cluster.sh
source "$(dirname "$0")/cluster.sh"

KEY4=$VIP4:80/tcp
KEY6=[$VIP6]:80/tcp
B1=$(ef_backend_ip4 1)

cluster_up
URL1=$(ef_cluster_metrics_url 1)
URL2=$(ef_cluster_metrics_url 2)
URL3=$(ef_cluster_metrics_url 3)

# metric I NAME LABELS: the value of one series of LB I's daemon ("" if absent)
metric() {
	ef_lbn "$1" curl -s --max-time 3 "$(ef_cluster_metrics_url "$1")" |
		awk -v s="$2{$3}" 'index($0, s " ") == 1 { print $2 }'
}

# mark: the daemons' log lines so far (FROM[I]), for wait_log
mark() {
	local i
	for i in 1 2 3; do FROM[i]=$(wc -l <"$EF_RUN/lb$i.daemon.log"); done
}

# wait_log I PATTERN SECONDS: LB I's daemon logged a line holding PATTERN
# (fixed string) since the last mark; prints it
wait_log() {
	local tries=$(($3 * 10)) line
	while ((tries-- > 0)); do
		line=$(tail -n +"$((FROM[$1] + 1))" "$EF_RUN/lb$1.daemon.log" | grep -m1 -F -- "$2") &&
			{
				echo "$line"
				return 0
			}
		sleep 0.1
	done
	return 1
}
ms_since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%d", (b - a) * 1000 }'; }

siblings_read() {
	[[ $(metric 1 evenflow_sibling_up "peer=\"$URL2\"") == 1 &&
		$(metric 1 evenflow_sibling_up "peer=\"$URL3\"") == 1 ]]
}
tries=100
until siblings_read || ((--tries == 0)); do sleep 0.1; done
check "lb1's daemon reads lb2's and lb3's metrics" siblings_read
check "check --peer: lb1 agrees with lb2 and lb3" ef_lbi 1 check --peer "$URL2" --peer "$URL3"

# 2. a rolling change: backend 2 weighs 2, on one LB every 3 s
mark
t0=$(now)
for i in 1 2 3; do
	EF_CLUSTER_WEIGHTS="1 2" ef_cluster_conf "$EF_RUN/evenflow.yaml"
	ef_cluster_apply "$EF_RUN/evenflow.yaml" "$i" || not_ok "rolling change: applied on lb$i"
	((i < 3)) && sleep 3
done
# the last difference began 6 s after the first: 16 s is past every grace
sleep "$(awk -v t="$(ms_since "$t0")" 'BEGIN { s = 16 - t / 1000; print (s > 0 ? s : 0) }')"
alarms=$(grep -h "differs on sibling\|missing on sibling\|runs on sibling" "$EF_RUN"/lb[123].daemon.log)
if [[ -z $alarms ]] && ef_lbi 1 check --peer "$URL2" --peer "$URL3" >/dev/null 2>&1; then
	ok "a rolling change (3 LBs, 3 s apart) raised no alarm, and they agree again"
else
	not_ok "a rolling change raised no alarm" "$alarms"
fi

# 3. one weight apart on lb2
mark
t0=$(now)
check "lb2 alone: backend1's weight 1 -> 3" ef_lbi 2 backend set "$KEY4" "$B1" --weight 3
if line=$(wait_log 1 "vip $KEY4 differs on sibling $URL2" 20); then
	alarm_ms=$(ms_since "$t0")
	if ((alarm_ms <= 15000)); then
		ok "lb1 raised the alarm after $alarm_ms ms: $line"
	else
		not_ok "lb1 raised the alarm within 15 s" "after $alarm_ms ms"
	fi
else
	alarm_ms=none
	not_ok "lb1 raised an alarm naming $KEY4 and $URL2" "$(tail -n 10 "$EF_RUN/lb1.daemon.log")"
fi
m24=$(metric 1 evenflow_sibling_mismatch "vip=\"$KEY4\",peer=\"$URL2\"")
m26=$(metric 1 evenflow_sibling_mismatch "vip=\"$KEY6\",peer=\"$URL2\"")
m34=$(metric 1 evenflow_sibling_mismatch "vip=\"$KEY4\",peer=\"$URL3\"")
if [[ $m24 == 1 && $m26 == 0 && $m34 == 0 ]]; then
	ok "lb1's evenflow_sibling_mismatch: 1 for $KEY4 on lb2, 0 for $KEY6 and for lb3"
else
	not_ok "lb1's evenflow_sibling_mismatch: 1 for $KEY4 on lb2 only" "$m24 $m26 $m34"
fi
if wait_log 2 "vip $KEY4 differs on sibling $URL1" 5 >/dev/null &&
	! grep -q "vip $KEY6 differs" "$EF_RUN"/lb[123].daemon.log; then
	ok "lb2 raised it too, naming lb1; nobody for $KEY6"
else
	not_ok "lb2 raised it too, naming lb1; nobody for $KEY6" "$(grep -h differs "$EF_RUN"/lb[123].daemon.log)"
fi
if ef_lbi 1 status | grep -q "ALARM: 1 VIP(s) differ on a sibling"; then
	ok "lb1's status shows the alarm"
else
	not_ok "lb1's status shows the alarm" "$(ef_lbi 1 status)"
fi
out=$(ef_lbi 1 check --peer "$URL2" 2>&1)
rc=$?
if ((rc == 1)) && grep -qF "evenflow: vip $KEY4 differs on sibling $URL2" <<<"$out"; then
	ok "check --peer lb2 exits 1 naming $KEY4 and lb2"
else
	not_ok "check --peer lb2 exits 1 naming $KEY4 and lb2" "exit $rc: $out"
fi
check "check --peer lb3 still agrees" ef_lbi 1 check --peer "$URL3"

# 4. set back: the alarm clears
mark
t0=$(now)
check "lb2: backend1's weight back to 1" ef_lbi 2 backend set "$KEY4" "$B1" --weight 1
if line=$(wait_log 1 "vip $KEY4 agrees with sibling $URL2 again" 10); then
	clear_ms=$(ms_since "$t0")
	ok "the alarm cleared after $clear_ms ms: $line"
else
	clear_ms=none
	not_ok "the alarm cleared" "$(tail -n 10 "$EF_RUN/lb1.daemon.log")"
fi
m24=$(metric 1 evenflow_sibling_mismatch "vip=\"$KEY4\",peer=\"$URL2\"")
if [[ $m24 == 0 ]]; then
	ok "evenflow_sibling_mismatch back to 0"
else
	not_ok "evenflow_sibling_mismatch back to 0" "$m24"
fi
figure "fingerprint alarm (siblings every 2 s, grace 10 s): one weight apart on lb2 -> alarm on lb1 after ${alarm_ms} ms; set back -> cleared after ${clear_ms} ms; a rolling change over 6 s: no alarm"
e2e_done
