#!/bin/bash
# Story: an operator's configuration file with a mistake in it is refused by
# `evenflow apply`, naming FILE:LINE:COLUMN and what is wrong, and the running
# configuration is untouched (VIPs, backends, table digests and a dump of
# every configuration map compared before and after). The seed
# misconfiguration (one backend weighted to take most of the traffic) is
# refused without --force, naming the share, and applied with it.
set -uo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=tests/e2e/daemon.sh
source "$(dirname "$0")/daemon.sh"

VIP=10.0.0.10:80/tcp
EF_SERVERS=0 e2e_up
DIR=$EF_RUN/conf
mkdir -p "$DIR"

good() {
	cat <<-YAML
	vips:
	  - address: 10.0.0.10
	    port: 80
	    backends:
	      - address: 10.200.1.2
	      - address: 10.200.2.2
	      - address: 10.200.3.2
	YAML
}
good >"$DIR/good.yaml"
check "a good file is applied" ef_lb apply "$DIR/good.yaml"
out=$(ef_lb apply "$DIR/good.yaml" 2>&1)
if grep -qx 'no change' <<<"$out"; then
	ok "applying it again changes nothing"
else
	not_ok "applying it again changes nothing" "$out"
fi
before=$(conf_state)

# bad NAME EXPECTED: applies $DIR/NAME.yaml (written by the caller); it must
# fail with "evenflow: $DIR/NAME.yaml:EXPECTED" and change nothing.
bad() {
	local name=$1 want="$DIR/$1.yaml:$2" out rc after
	out=$(ef_lb apply "$DIR/$name.yaml" 2>&1)
	rc=$?
	if ((rc == 1)) && grep -qF -- "evenflow: $want" <<<"$out"; then
		ok "$name: refused with '$2'"
	else
		not_ok "$name: refused with '$2'" "exit $rc; output:
$out"
	fi
	after=$(conf_state)
	if [[ $after == "$before" ]]; then
		ok "$name: running configuration untouched"
	else
		not_ok "$name: running configuration untouched" "$(diff <(echo "$before") <(echo "$after"))"
	fi
}

good | sed '6s/10.200.2.2/10.200.2.300/' >"$DIR/bad_address.yaml"
bad bad_address "6:18: backend address '10.200.2.300': invalid IPv4 address"

good | sed '7s/10.200.3.2/10.200.1.2/' >"$DIR/duplicate_backend.yaml"
bad duplicate_backend "7:18: duplicate backend 10.200.1.2 of 10.0.0.10:80/tcp (first at line 5)"

{ good; printf '  - address: 10.0.0.10\n    port: 80\n'; } >"$DIR/duplicate_vip.yaml"
bad duplicate_vip "8:14: duplicate VIP 10.0.0.10:80/tcp (first at line 2)"

good | sed '5a\        weight: 65536' >"$DIR/weight_range.yaml"
bad weight_range "6:17: backend weight: '65536' is not a number in 1..65535"

good | sed '5a\        weight: 0' >"$DIR/weight_zero.yaml"
bad weight_zero "6:17: backend weight: '0' is not a number in 1..65535"

good | sed '3a\    protocl: tcp' >"$DIR/unknown_key.yaml"
bad unknown_key "4:5: vip: unknown key 'protocl' (known: address, port, protocol, forward, table-size, src, echo, health, min-up, backends)"

good | sed '5a\        state: sleeping' >"$DIR/unknown_state.yaml"
bad unknown_state "6:16: backend state: unknown state 'sleeping' (up, down or drain)"

good | sed '3a\    table-size: 65536' >"$DIR/table_not_prime.yaml"
bad table_not_prime "4:17: vip table-size: 65536 is not a prime number"

{
	printf 'vips:\n  - address: 10.0.0.10\n    port: 80\n    table-size: 251\n    backends:\n'
	for i in $(seq 1 252); do
		printf '      - address: 10.201.%d.%d\n' $((i / 200)) $((i % 200 + 1))
	done
} >"$DIR/table_too_small.yaml"
bad table_too_small "2:14: vip 10.0.0.10:80/tcp: table-size 251 is too small for 252 backends"

good | sed '2s/10.0.0.10/fd00:10::10/' >"$DIR/family_v6.yaml"
bad family_v6 "5:18: backend 10.200.1.2 of [fd00:10::10]:80/tcp: an IPv6 VIP needs IPv6 backends (no IPv6-in-IPv4)"

good | sed -e '3a\    forward: l2' -e '7s/10.200.3.2/fd00:200:3::2/' >"$DIR/family_l2.yaml"
bad family_l2 "8:18: backend fd00:200:3::2 of 10.0.0.10:80/tcp: l2 forwarding needs a backend of the VIP's address family"

# Legal but harmful: refused without --force.
good | sed '7a\        weight: 20' >"$DIR/seed.yaml"
out=$(ef_lb apply "$DIR/seed.yaml" 2>&1)
rc=$?
if ((rc == 1)) && grep -qF "evenflow: refused: vip $VIP: backend 10.200.3.2 would take 90.9% of new flows (now 33.3%)" <<<"$out"; then
	ok "seed misconfiguration refused, naming the share (91%)"
else
	not_ok "seed misconfiguration refused, naming the share (91%)" "exit $rc; output:
$out"
fi
if grep -qE '~ 10\.200\.3\.2 +1 -> 20 +up +33\.3% -> +90\.9%' <<<"$out"; then
	ok "the plan shows the share before and after (33.3% -> 90.9%)"
else
	not_ok "the plan shows the share before and after (33.3% -> 90.9%)" "$out"
fi
after=$(conf_state)
if [[ $after == "$before" ]]; then
	ok "seed: running configuration untouched"
else
	not_ok "seed: running configuration untouched" "$(diff <(echo "$before") <(echo "$after"))"
fi

good | sed -e '5a\        state: down' -e '6a\        state: down' -e '7a\        state: down' \
	>"$DIR/none_up.yaml"
out=$(ef_lb apply "$DIR/none_up.yaml" 2>&1)
if (($? == 1)) && grep -qF "evenflow: refused: vip $VIP would have no backend up (now 3)" <<<"$out"; then
	ok "a VIP with no backend up is refused"
else
	not_ok "a VIP with no backend up is refused" "$out"
fi

out=$(ef_lb -j apply "$DIR/seed.yaml" --dry-run --force 2>/dev/null)
if jq -e '.plan.warnings | length == 2' <<<"$out" >/dev/null &&
	jq -e '.applied == false' <<<"$out" >/dev/null; then
	ok "--dry-run --force: the plan in JSON, nothing applied"
else
	not_ok "--dry-run --force: the plan in JSON, nothing applied" "$out"
fi
if [[ $(conf_state) == "$before" ]]; then
	ok "dry run: untouched"
else
	not_ok "dry run: untouched"
fi

check "with --force the seed configuration is applied" ef_lb apply "$DIR/seed.yaml" --force
share=$(ef_lb -j vip show "$VIP" | jq -r '.vip.backends[] | select(.addr == "10.200.3.2") | .share')
if awk -v s="$share" 'BEGIN { exit !(s > 0.908 && s < 0.910) }'; then
	ok "10.200.3.2 now holds 90.9% of the slots ($share)"
else
	not_ok "10.200.3.2 now holds 90.9% of the slots" "share $share"
fi

e2e_done
