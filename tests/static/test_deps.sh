#!/bin/bash
# The package sets of scripts/deps.sh: the build set (what plain `make`
# installs, on what may be a production LB) holds every library evenflow
# links and nothing that runs a service or serves tests only; each make
# target installs its own set before anything else.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() {
	n=$((n + 1)) failed=$((failed + 1))
	echo "not ok $n - $1"
	[[ -n ${2:-} ]] && sed 's/^/# /' <<<"$2"
}

build=$(scripts/deps.sh --list build)
extra=$(grep -xF -e haproxy -e nginx-light -e prometheus -e wrk -e gnuplot-nox -e bird2 \
	-e frr -e tmux -e libcmocka-dev -e libclang-rt-14-dev <<<"$build")
if [[ -z $extra ]]; then
	ok "the build set has no server, load tool or test-only package"
else
	not_ok "the build set has no server, load tool or test-only package" "$extra"
fi

# Every -lNAME the binary links (Makefile LDLIBS) comes from a package of the
# build set (the package that owns libNAME.so).
libs=$(make -s -p -n -f Makefile BUILD=/nonexistent 2>/dev/null |
	awk -F':= ' '/^(LIB|DAEMON|CLI)_LDLIBS :=/ {print $2}' | tr ' ' '\n' | sed -n 's/^-l//p' |
	sort -u)
lost=""
for l in $libs; do
	so=$(ls /usr/lib/x86_64-linux-gnu/lib"$l".so /usr/lib/x86_64-linux-gnu/lib"$l".a \
		2>/dev/null | head -1)
	[[ -n $so ]] || continue # in libc (-lm, -lpthread)
	pkg=$(dpkg -S "$so" 2>/dev/null | cut -d: -f1 | head -1)
	grep -qxF "$pkg" <<<"$build" || lost+="-l$l: $so from ${pkg:-?}"$'\n'
done
if [[ -n $libs && -z $lost ]]; then
	ok "every library linked comes from the build set ($(wc -w <<<"$libs") libraries)"
else
	not_ok "every library linked comes from the build set" "${lost:-no LDLIBS found}"
fi

# Each target's first step installs its set.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for t in all:build test:test demo:demo demo-cluster:demo-cluster bench:bench fuzz:fuzz; do
	first=$(make --no-print-directory -n "${t%%:*}" BUILD="$tmp" 2>/dev/null | head -1)
	if [[ $first == "scripts/deps.sh ${t#*:}" ]]; then
		ok "make ${t%%:*} first runs scripts/deps.sh ${t#*:}"
	else
		not_ok "make ${t%%:*} first runs scripts/deps.sh ${t#*:}" "first command: $first"
	fi
done
echo "1..$n"
((failed == 0))
