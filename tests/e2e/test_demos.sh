#!/bin/bash
# The two demos as `make demo` and `make demo-cluster` run them, end to end:
# each must end with its own "OK" line and exit 0 (each brings its harness up
# and tears it down itself). They print for people, so nothing else here
# reads their output; a demo that breaks (a command whose behaviour changed
# under it) fails make test instead of the first operator who runs it.
set -uo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "$0")/lib.sh"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for demo in demo demo_cluster; do
	name=${demo/_/-}
	if BUILD=$BUILD EF_QUIET=1 timeout 300 "$SCRIPTS/$demo.sh" >"$tmp/$demo.log" 2>&1 &&
		grep -qx "$name: OK" "$tmp/$demo.log"; then
		ok "make $name: $(grep -c . "$tmp/$demo.log") lines, ending \"$name: OK\""
	else
		not_ok "make $name ends OK" "$(tail -15 "$tmp/$demo.log")"
	fi
done
e2e_done
