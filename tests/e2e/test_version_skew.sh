#!/bin/bash
# Story: the pin dir holds a data plane whose map layout differs from this
# evenflow's (another version left it): every command refuses it with one
# line naming the map and both sizes, and writes nothing; once the map is
# what this version expects again, the commands work.
set -uo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "$0")/lib.sh"

VIP=10.0.0.10:80/tcp
e2e_up
check "a VIP with one backend" e2e_vip "$VIP" "$(ef_backend_ip4 1)"
check "attach" ef_lb_attach

pin=$(ef_pin_dir_of lb)/evenflow_backends
id=$(ef_lb_exec bpftool -j map show pinned "$pin" | jq -r .id)
# a backends map of the previous release's layout (44-byte entries, mmapable), as a build
# with other structs would have pinned it; the real one lives on in the
# program and is pinned back afterwards
if [[ $id =~ ^[0-9]+$ ]] && rm "$pin" &&
	ef_lb_exec bpftool map create "$pin" type array key 4 value 44 entries 32768 \
		name evenflow_backen flags 1024; then
	ok "a backends map of another layout pinned in its place"
else
	not_ok "a backends map of another layout pinned in its place" "map id '$id'"
fi
for cmd in "vip list" "stats" "backend add $VIP $(ef_backend_ip4 2)"; do
	# shellcheck disable=SC2086 # the command's words
	out=$(ef_lb $cmd 2>&1)
	rc=$?
	if ((rc != 0)) && [[ $(wc -l <<<"$out") -eq 1 ]] &&
		grep -q "map evenflow_backends holds 44-byte values" <<<"$out"; then
		ok "'$cmd' refused in one line naming the map ($rc)"
	else
		not_ok "'$cmd' refused in one line naming the map" "exit $rc: $out"
	fi
done
rm -f "$pin"
ef_lb_exec bpftool map pin id "$id" "$pin"
if out=$(ef_lb -j vip list) && jq -e --arg v "$VIP" \
	'[.. | objects | select(.vip? == $v)] | length >= 1' <<<"$out" >/dev/null &&
	! grep -q "$(ef_backend_ip4 2)" <<<"$out"; then
	ok "with the map back, the configuration is as before (the refused add wrote nothing)"
else
	not_ok "with the map back, the configuration is as before" "$out"
fi

e2e_done
