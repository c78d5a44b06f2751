#!/bin/bash
# Story (issue 11): one safety check, judging a change by its harm to live
# traffic, on every path: `apply`, the daemon's reload (SIGHUP) and the CLI.
# With weights 1:1:3, draining a backend, removing the drained one and
# adding it back pass; an empty file, a second YAML document, 1:1:1 ->
# 1:1:100 and draining two of three are refused, and a refusal changes no
# map. The same steps through a daemon's reload, then the CLI's.
set -uo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=tests/e2e/daemon.sh
source "$(dirname "$0")/daemon.sh"

VIP=10.0.0.10:80/tcp
B1=$(ef_backend_ip4 1) B2=$(ef_backend_ip4 2) B3=$(ef_backend_ip4 3)
EF_SERVERS=0 e2e_up
DIR=$EF_RUN/conf
mkdir -p "$DIR"

# conf NAME ADDR:WEIGHT:STATE...: a file with the VIP and these backends.
conf() {
	local name=$1 b a w s
	shift
	{
		echo "vips:"
		echo "  - address: 10.0.0.10"
		echo "    port: 80"
		echo "    backends:"
		for b in "$@"; do
			IFS=: read -r a w s <<<"$b"
			echo "      - {address: $a, weight: $w, state: $s}"
		done
	} >"$DIR/$name.yaml"
}
conf base "$B1:1:up" "$B2:1:up" "$B3:3:up"
conf drain1 "$B1:1:drain" "$B2:1:up" "$B3:3:up"
conf removed1 "$B2:1:up" "$B3:3:up"
conf equal "$B1:1:up" "$B2:1:up" "$B3:1:up"
conf seed "$B1:1:up" "$B2:1:up" "$B3:100:up"
conf drain2 "$B1:1:drain" "$B2:1:up" "$B3:1:drain"
echo "vips: []" >"$DIR/empty.yaml"
{
	cat "$DIR/base.yaml"
	echo "---"
	echo "vips: []"
} >"$DIR/twodocs.yaml"

# The apply of each step: pass (exit 0) or refusal (exit 1, a message, no
# map changed).
passes() { # passes WHAT FILE
	local out
	if out=$(ef_lb apply "$DIR/$2.yaml" 2>&1); then
		ok "apply: $1 passes"
	else
		not_ok "apply: $1 passes" "$out"
	fi
}
refused() { # refused WHAT FILE MESSAGE
	local out rc before after
	before=$(conf_state)
	out=$(ef_lb apply "$DIR/$2.yaml" 2>&1)
	rc=$?
	after=$(conf_state)
	if ((rc == 1)) && grep -qF -- "$3" <<<"$out" && [[ $before == "$after" ]]; then
		ok "apply: $1 refused, maps unchanged"
	else
		not_ok "apply: $1 refused, maps unchanged" "exit $rc; $out
$(diff <(echo "$before") <(echo "$after"))"
	fi
}

passes "weights 1:1:3" base
passes "draining a weight-1 backend of 1:1:3" drain1
passes "removing the drained backend" removed1
passes "adding it back" base
refused "an empty file (vips: [])" empty \
	"evenflow: refused: would remove 1 VIP ($VIP): name them with --remove VIP or use --force"
refused "a second YAML document" twodocs \
	"evenflow: $DIR/twodocs.yaml:8:1: a second document ('---'): a file holds one configuration"
passes "1:1:3 -> 1:1:1" equal
refused "1:1:1 -> 1:1:100" seed \
	"evenflow: refused: vip $VIP: backend $B3 would take 98.0% of new flows (now 33.3%): more than twice its share"
refused "draining two of three" drain2 \
	"would take 100.0% of new flows (now 33.3%): more than twice its share"
if ef_lb apply "$DIR/empty.yaml" --remove "$VIP" >/dev/null 2>&1 &&
	[[ $(ef_lb -j vip list | jq '.vips | length') == 0 ]]; then
	ok "apply --remove VIP: the named VIP goes"
else
	not_ok "apply --remove VIP: the named VIP goes" "$(ef_lb -j vip list)"
fi

# The CLI: the same check on backend set/add/del.
check "configuration back (weights 1:1:1)" ef_lb apply "$DIR/equal.yaml"
out=$(ef_lb backend set "$VIP" "$B2" --weight 65535 2>&1)
if (($? == 1)) && grep -qF "evenflow: refused: vip $VIP: backend $B2 would take 100.0% of new flows (now 33.3%)" <<<"$out" &&
	grep -qF -- "--force applies it anyway" <<<"$out"; then
	ok "CLI: backend set --weight 65535 refused, naming the share and --force"
else
	not_ok "CLI: backend set --weight 65535 refused" "$out"
fi
out=$(ef_lb -j backend list "$VIP" | jq -r --arg a "$B2" '.backends[] | select(.addr == $a) | .weight')
if [[ $out == 1 ]]; then ok "CLI: the refused weight is not set"; else not_ok "CLI: the refused weight is not set" "$out"; fi
check "CLI: backend set --state drain of one of three passes" \
	ef_lb backend set "$VIP" "$B1" --state drain
out=$(ef_lb backend set "$VIP" "$B3" --state down 2>&1)
if (($? == 1)) && grep -qF "backend $B2 would take 100.0% of new flows (now 50.0%)" <<<"$out"; then
	ok "CLI: setting the second of three down refused"
else
	not_ok "CLI: setting the second of three down refused" "$out"
fi
check "CLI: --force applies it" ef_lb backend set "$VIP" "$B3" --state down --force
check "CLI: and back up passes" ef_lb backend set "$VIP" "$B3" --state up
check "CLI: vip del of a named VIP passes" ef_lb vip del "$VIP"

# The daemon's reload: the same file steps, each through SIGHUP.
cp "$DIR/base.yaml" "$DIR/daemon.yaml"
daemon_up "$DIR/daemon.yaml"
reload() { # reload WHAT FILE applied|refused
	local n before after
	n=$(grep -cE 'msg="configuration .*(applied|refused|nothing to change)' "$EF_RUN/daemon.log")
	before=$(conf_state)
	cp "$DIR/$2.yaml" "$DIR/daemon.yaml"
	kill -HUP "$DAEMON_PID"
	for _ in $(seq 100); do
		(($(grep -cE 'msg="configuration .*(applied|refused|nothing to change)' "$EF_RUN/daemon.log") > n)) && break
		sleep 0.05
	done
	after=$(conf_state)
	if [[ $3 == applied ]] && tail -n 3 "$EF_RUN/daemon.log" | grep -q 'applied:'; then
		ok "reload: $1 applied"
	elif [[ $3 == refused ]] && tail -n 3 "$EF_RUN/daemon.log" | grep -q 'refused' &&
		[[ $before == "$after" ]]; then
		ok "reload: $1 refused, maps unchanged"
	else
		not_ok "reload: $1 $3" "$(tail -n 5 "$EF_RUN/daemon.log")"
	fi
}
reload "draining a weight-1 backend of 1:1:3" drain1 applied
reload "removing the drained backend" removed1 applied
reload "adding it back" base applied
reload "an empty file" empty refused
reload "a second YAML document" twodocs refused
reload "1:1:3 -> 1:1:1" equal applied
reload "1:1:1 -> 1:1:100" seed refused
reload "draining two of three" drain2 refused
if daemon_stop; then ok "daemon stopped"; else not_ok "daemon stopped"; fi
e2e_done
