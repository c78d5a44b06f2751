#!/bin/bash
# Story (issue 12): the day-one basics of the CLI, as a new operator and a
# script meet them. --version names the release and the flow-hash version;
# `help` and global options after the command work; commands that only read
# never create state (a missing or empty pin dir gives one line naming it,
# nothing is created or mounted); top refuses a pipe and -j; check's exit
# statuses tell an imbalance (1) from a usage error (2) and from "could not
# check" (3); under -j every config error comes as JSON in file order; shares
# are fractions in JSON, without float noise; outside text (invalid UTF-8,
# terminal escapes, 100 KB arguments) is printed escaped and cut; an error
# seen as non-root names the path; apply refuses a FIFO at once.
set -uo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "$0")/lib.sh"

VIP=10.0.0.10:80/tcp
EF_SERVERS=0 e2e_up
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"; ef_harness_down' EXIT

# expect DESC RC PATTERN CMD...: CMD exits RC and its stderr+stdout match the
# extended regex PATTERN.
expect() {
	local desc=$1 want=$2 pat=$3 out rc
	shift 3
	out=$("$@" 2>&1)
	rc=$?
	if ((rc == want)) && grep -qE -- "$pat" <<<"$out"; then
		ok "$desc"
	else
		not_ok "$desc" "exit $rc (want $want); output:
${out:0:2000}"
	fi
}

# ---- version and help ----
release=$(cat "$REPO/VERSION")
hashver=$(awk '/define EF_FLOW_HASH_VERSION/ {print $3}' "$REPO/bpf/lib/hash.h")
expect "--version: release $release and flow-hash version $hashver" 0 \
	"^evenflow $release"$'\n'"flow-hash version $hashver$" "$EVENFLOW" --version
out=$("$EVENFLOW" -j --version)
if jq -e --arg r "$release" --argjson h "$hashver" \
	'.version == $r and .flow_hash_version == $h' <<<"$out" >/dev/null; then
	ok "-j --version: the same as JSON"
else
	not_ok "-j --version: the same as JSON" "$out"
fi
expect "evenflow help lists every command" 0 "backend add VIP BACKEND" "$EVENFLOW" help
expect "evenflow help backend add shows its options" 0 "--weight" "$EVENFLOW" help backend add
expect "evenflow help nosuch: usage error" 2 "unknown" "$EVENFLOW" help nosuch

# ---- read-only commands on a pin dir with no data plane ----
none=$tmp/no-such/evenflow
for cmd in "vip list" "vip show $VIP" "backend list $VIP" "stats" \
	"lookup $VIP 10.9.9.9:1234"; do
	# shellcheck disable=SC2086 # the command's words
	expect "$cmd on a missing pin dir: 'no data plane at DIR', exit 1" 1 \
		"^evenflow: no data plane at $none \(evenflow attach DEV first\)$" \
		"$EVENFLOW" --pin-dir "$none" $cmd
done
expect "check on a missing pin dir: could not check, exit 3" 3 "no data plane at $none" \
	"$EVENFLOW" --pin-dir "$none" check --window 1
expect "status on a missing pin dir: not loaded, exit 0" 0 "loaded: +no" \
	"$EVENFLOW" --pin-dir "$none" status
if [[ ! -e $tmp/no-such ]]; then
	ok "none of them created the pin dir"
else
	not_ok "none of them created the pin dir" "$(find "$tmp/no-such")"
fi
mkdir -p "$tmp/empty"
expect "vip list on an empty directory: no data plane" 1 "no data plane at $tmp/empty" \
	"$EVENFLOW" --pin-dir "$tmp/empty" vip list
if ! findmnt -rn "$tmp/empty" >/dev/null; then
	ok "nothing mounted on it"
else
	not_ok "nothing mounted on it" "$(findmnt "$tmp/empty")"
fi

# ---- a VIP with weights 1, 1, 3; global options after the command ----
check "VIP added" ef_lb vip add "$VIP"
for w in "1 1" "2 1" "3 3"; do
	set -- $w
	check "backend $1 weight $2" ef_lb backend add "$VIP" "$(ef_backend_ip4 "$1")" --weight "$2" \
		--force
done
out=$(ef_lb vip show "$VIP" -j)
if jq -e '.vip.backends | length == 3' <<<"$out" >/dev/null; then
	ok "vip show VIP -j: -j after the command"
else
	not_ok "vip show VIP -j: -j after the command" "$out"
fi
if jq -e '[.vip.backends[].weight_share] == [0.2, 0.2, 0.6] and
	([.vip.backends[].share] | add > 0.999 and add < 1.001 and all(. > 0 and . < 1))' \
	<<<"$out" >/dev/null; then
	ok "vip show -j: shares are fractions 0..1 (0.2, 0.2, 0.6 by weight)"
else
	not_ok "vip show -j: shares are fractions 0..1" "$out"
fi
if ! grep -qE '[0-9]\.[0-9]*0000000|[0-9]\.[0-9]*9999999' <<<"$out"; then
	ok "no float noise in the JSON"
else
	not_ok "no float noise in the JSON" "$(grep -E '0000000|9999999' <<<"$out")"
fi
expect "vip show in text: percentages" 0 "60\.000%" ef_lb vip show "$VIP"

# ---- every read-only command prints its text form ----
# (a format string that a value does not match crashes only here: the other
# stories read -j)
for cmd in "status" "stats" "vip list" "vip show $VIP" "backend list $VIP" "backend list" \
	"lookup $VIP 10.9.9.9:1234"; do
	# shellcheck disable=SC2086 # the command's words
	expect "$cmd in text: exit 0" 0 "." ef_lb $cmd
done

# ---- top and check ----
expect "top into a pipe: refused, exit 1" 1 "top: needs a terminal" ef_lb top
expect "top -j: refused as a usage error, exit 2" 2 "no JSON form" ef_lb -j top
expect "check with no traffic: no VIP imbalanced, exit 0" 0 "no VIP is imbalanced" \
	ef_lb check --window 1
expect "check with a bad option: exit 2" 2 "unknown option" ef_lb check --bogus
expect "check --peer that cannot be read: exit 3" 3 "cannot be read" \
	ef_lb check --peer http://127.0.0.1:9/metrics
expect "check --peer with a bad URL: exit 2" 2 "peer" ef_lb check --peer ftp://x

# ---- config errors under -j, in file order ----
cat >"$tmp/bad.yaml" <<-YAML
	vips:
	  - address: 10.0.0.10
	    port: 99999
	    backends:
	      - address: 10.200.1.2
	        weight: -3
	      - address: 10.200.2.2
	        colour: red
YAML
out=$(ef_lb -j apply "$tmp/bad.yaml" 2>/dev/null)
rc=$?
if ((rc == 1)) && jq -e --arg f "$tmp/bad.yaml" '
	[.errors[] | capture(":(?<l>[0-9]+):").l | tonumber] == [3, 6, 8] and
	(.errors[0] | startswith($f + ":3:")) and .errors_found == 3 and
	.error == .errors[-1]' <<<"$out" >/dev/null; then
	ok "-j apply of a file with 3 errors: all 3 as JSON, in file order"
else
	not_ok "-j apply of a file with 3 errors: all 3 as JSON, in file order" "exit $rc: $out"
fi
mkfifo "$tmp/fifo"
expect "apply of a FIFO: refused at once" 1 "fifo: .*not a regular file" \
	timeout 5 "$EVENFLOW" --pin-dir "$none" apply "$tmp/fifo"

# ---- outside text ----
out=$("$EVENFLOW" -j vip add $'\xff\x1b[31m10.0.0.1:80/tcp' 2>"$tmp/err")
rc=$?
if ((rc == 2)) && jq -e '.error | contains("\\xff\\x1b[31m")' <<<"$out" >/dev/null &&
	grep -qF 'vip \xff\x1b[31m' "$tmp/err" && ! grep -q $'\x1b' "$tmp/err"; then
	ok "invalid UTF-8 and an escape sequence: escaped in JSON and on stderr, exit 2"
else
	not_ok "invalid UTF-8 and an escape sequence: escaped" "exit $rc: $out / $(cat -v "$tmp/err")"
fi
huge=$(head -c 100000 /dev/zero | tr '\0' a)
out=$("$EVENFLOW" vip add "$huge" 2>&1)
rc=$?
if ((rc == 2 && ${#out} < 300)) && grep -q 'aaa\.\.\.' <<<"$out"; then
	ok "a 100 KB argument: cut in the error (${#out} bytes), exit 2"
else
	not_ok "a 100 KB argument: cut in the error" "exit $rc, ${#out} bytes"
fi
out=$("$EVENFLOW" "--$huge" 2>&1)
if ((${#out} < 300)); then
	ok "a 100 KB unknown option: cut too (${#out} bytes)"
else
	not_ok "a 100 KB unknown option: cut too" "${#out} bytes"
fi

# ---- addresses that can never be a VIP or a backend (issue 15) ----
before=$(ef_lb -j vip list | jq -c '[.vips[].vip]')
for a in 0.0.0.0:80/tcp 255.255.255.255:80/tcp 224.0.0.1:80/tcp 127.0.0.1:80/tcp \
	169.254.1.1:80/tcp "[::]:80/tcp" "[ff02::1]:80/tcp" "[::ffff:10.0.0.1]:80/tcp" \
	"[fe80::1]:80/tcp"; do
	expect "vip add $a: refused in one line naming it" 1 \
		"^evenflow: vip $(sed 's/[].[]/\\&/g' <<<"$a"): .* can never be a VIP$" ef_lb vip add "$a"
done
for b in 0.0.0.0 255.255.255.255 224.0.0.1 127.0.0.1; do
	expect "backend add $b: refused in one line naming it" 1 \
		"^evenflow: backend ${b//./\\.}: .* can never be a backend$" ef_lb backend add "$VIP" "$b"
done
after=$(ef_lb -j vip list | jq -c '[.vips[].vip]')
backends=$(ef_lb -j backend list "$VIP" | jq '.backends | length')
if [[ $after == "$before" && $backends == 3 ]]; then
	ok "nothing added by the refused commands"
else
	not_ok "nothing added by the refused commands" "$before -> $after, $backends backends"
fi

# ---- as non-root ----
mkdir -m 700 "$tmp/private"
mkdir "$tmp/private/pins"
expect "vip list as nobody on a root-only pin dir: names the path" 1 \
	"$tmp/private/pins/evenflow_lb_prog: Permission denied \(evenflow needs root\)" \
	setpriv --reuid 65534 --regid 65534 --clear-groups "$EVENFLOW" --pin-dir "$tmp/private/pins" \
	vip list

e2e_done
