#!/bin/bash
# Story (issue 12): a configuration file is read in bounded memory and never
# stalls the daemon. A 16 MiB file's peak RSS stays within a small multiple
# of its size (apply --dry-run, measured); the daemon reads such a file on
# SIGHUP in a thread of its own, so /metrics answers while it parses (the
# slowest scrape during the reading is a small fraction of the reading) and
# health checks go on; the file (too many backends) is refused and the
# running configuration stays. Two SIGHUPs in a row apply the last file. A
# FIFO as the file is refused at once, at start and on reload.
set -uo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=tests/e2e/daemon.sh
source "$(dirname "$0")/daemon.sh"

VIP=10.0.0.10:80/tcp
METRICS=127.0.0.1:9639
e2e_up
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"; ef_harness_down' EXIT
CONF=$EF_RUN/evenflow.yaml

# conf W1 W2: the VIP with three backends weighted W1, W2, 1.
conf() {
	cat <<-YAML
	metrics: {listen: "$METRICS"}
	health: {type: http, path: /, expect: 200, interval: 200ms, timeout: 200ms, rise: 2, fall: 2}
	vips:
	  - address: 10.0.0.10
	    port: 80
	    backends:
	      - address: $(ef_backend_ip4 1)
	        weight: $1
	      - address: $(ef_backend_ip4 2)
	        weight: $2
	      - address: $(ef_backend_ip4 3)
	YAML
}
# install FILE: FILE becomes the configuration at once (as an editor saves).
install() {
	cp "$1" "$CONF.new" && mv "$CONF.new" "$CONF"
}
# A 16 MiB file: the same VIP, then backends past the limit (refused only
# after all of it is parsed).
big=$tmp/big.yaml
conf 1 1 >"$big"
"$(ef_python)" - "$big" <<-'PY'
	import sys
	with open(sys.argv[1], "a") as f:
	    size, i = f.tell(), 0
	    while size < 16 * 1024 * 1024 - 100:
	        line = "      - address: 10.%d.%d.%d\n" % (100 + (i >> 16) % 100, (i >> 8) & 255, i & 255)
	        f.write(line)
	        size += len(line)
	        i += 1
PY
size=$(stat -c %s "$big")

# ---- memory: apply --dry-run of the 16 MiB file ----
rss=$("$(ef_python)" - "$EVENFLOW" "$big" <<-'PY'
	import resource, subprocess, sys
	subprocess.run([sys.argv[1], "--pin-dir", "/nonexistent/evenflow", "apply", "--dry-run",
	                sys.argv[2]], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
	print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024)
PY
)
diag "16 MiB file ($size bytes): peak RSS $((rss / 1048576)) MiB ($(awk -v r="$rss" -v s="$size" \
	'BEGIN { printf "%.2f", r / s }') x its size)"
if ((rss > 0 && rss < 4 * size)); then
	ok "a 16 MiB file parses within 4x its size ($((rss / 1048576)) MiB peak RSS)"
else
	not_ok "a 16 MiB file parses within 4x its size" "peak RSS $rss bytes"
fi

# ---- the daemon ----
conf 1 1 >"$CONF"
check "attach" ef_lb_attach
daemon_up "$CONF"
before=$(conf_state)

# scrape_loop SECONDS: /metrics scraped back to back; one line per scrape:
# its time in seconds ("fail" if it failed).
scrape_loop() {
	local end=$((SECONDS + $1))
	while ((SECONDS < end)); do
		ip netns exec "$EF_NS_LB" curl -s -o /dev/null --max-time 5 -w '%{time_total}\n' \
			"http://$METRICS/metrics" || echo fail
	done
}
install "$big"
scrape_loop 6 >"$tmp/scrapes" &
scraper=$!
sleep 0.5
kill -HUP "$DAEMON_PID"
wait "$scraper"
took=$(grep -oE "msg=\"$CONF read in [0-9.]+ s\"" "$EF_RUN/daemon.log" | tail -1 | grep -oE '[0-9.]+ s' |
	cut -d' ' -f1)
slowest=$(sort -g "$tmp/scrapes" | tail -1)
diag "reading took ${took:-?} s; $(wc -l <"$tmp/scrapes") scrapes meanwhile, slowest ${slowest} s"
if [[ -n $took ]] && ! grep -q fail "$tmp/scrapes" &&
	awk -v s="$slowest" -v t="$took" 'BEGIN { exit !(t >= 0.2 && s < t / 4) }'; then
	ok "/metrics answers while the 16 MiB file is read (slowest scrape ${slowest} s, reading ${took} s)"
else
	not_ok "/metrics answers while the 16 MiB file is read" \
		"reading ${took:-not logged} s, slowest scrape ${slowest}; $(grep -c fail "$tmp/scrapes") failed"
fi
if grep -qE "msg=\"configuration $CONF refused \([0-9]+ errors\); the running one stays\"" \
	"$EF_RUN/daemon.log"; then
	ok "the 16 MiB file is refused (too many backends)"
else
	not_ok "the 16 MiB file is refused" "$(daemon_log | tail -5)"
fi
if [[ $(conf_state) == "$before" ]]; then
	ok "the running configuration is untouched"
else
	not_ok "the running configuration is untouched" "$(diff <(echo "$before") <(conf_state))"
fi
checked=$(ip netns exec "$EF_NS_LB" curl -s --max-time 5 "http://$METRICS/metrics" |
	awk '$1 == "evenflow_health_checked" {print $2}')
if [[ $checked == 3 ]]; then
	ok "the health checker still checks the 3 backends"
else
	not_ok "the health checker still checks the 3 backends" "evenflow_health_checked $checked"
fi

# ---- a SIGHUP during a reading: read again after it, the last file wins ----
conf 1 2 >"$tmp/b.yaml"
install "$big"
kill -HUP "$DAEMON_PID"
sleep 0.1
install "$tmp/b.yaml"
kill -HUP "$DAEMON_PID"
w=""
for _ in $(seq 100); do
	w=$(ef_lb -j backend list "$VIP" | jq -r --arg a "$(ef_backend_ip4 2)" \
		'.backends[] | select(.addr == $a) | .weight')
	[[ $w == 2 ]] && break
	sleep 0.1
done
# the log since the first of these two readings: read, refused, read, applied
order=$(grep -E 'SIGHUP: reading|read in|refused \(|applied:' "$EF_RUN/daemon.log" | tail -4 |
	sed -E 's/.*(SIGHUP: reading|read in|refused|applied).*/\1/' | paste -sd' ')
if [[ $w == 2 && $order == "read in refused SIGHUP: reading read in" ]] ||
	[[ $w == 2 && $order == *"refused SIGHUP: reading read in applied" ]]; then
	ok "a SIGHUP during a reading: read again after it, the last file applied ($order)"
else
	not_ok "a SIGHUP during a reading: read again after it, the last file applied" \
		"weight $w; $order; $(daemon_log | tail -8)"
fi

# ---- a FIFO ----
rm -f "$CONF"
mkfifo "$CONF"
kill -HUP "$DAEMON_PID"
sleep 1
if grep -qF "msg=\"$CONF: not a regular file\"" "$EF_RUN/daemon.log" && kill -0 "$DAEMON_PID"; then
	ok "SIGHUP with a FIFO as the file: refused, the daemon goes on"
else
	not_ok "SIGHUP with a FIFO as the file: refused" "$(daemon_log | tail -5)"
fi
if daemon_stop >"$tmp/stop"; then
	ok "daemon stops on SIGTERM"
else
	not_ok "daemon stops on SIGTERM" "$(cat "$tmp/stop")"
fi
start=$SECONDS
if ! timeout 10 ip netns exec "$EF_NS_LB" "$EVENFLOW" --pin-dir "$(ef_pin_dir_of lb)" daemon \
	--config "$CONF" >"$tmp/fifo.out" 2>&1 && ((SECONDS - start < 5)) &&
	grep -qF "$CONF: not a regular file" "$tmp/fifo.out"; then
	ok "a daemon started on a FIFO refuses it at once"
else
	not_ok "a daemon started on a FIFO refuses it at once" "$(cat "$tmp/fifo.out")"
fi
e2e_done
