#!/bin/bash
# make install into a DESTDIR (PREFIX=/usr, as the Debian package does):
# the tree holds what the README lists, the installed binary runs and says
# the VERSION, the units name the installed binary, a second install keeps
# an edited configuration, and uninstall leaves nothing but it. The unit
# passes systemd-analyze verify; debian/changelog's version is VERSION.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.." || exit 1
BUILD=${BUILD:-build}
n=0
failed=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

check() {
	local desc=$1
	shift
	n=$((n + 1))
	if "$@" >/dev/null 2>&1; then
		echo "ok $n - $desc"
	else
		failed=$((failed + 1))
		echo "not ok $n - $desc"
	fi
}

inst() {
	make -s --no-print-directory BUILD="$BUILD" DESTDIR="$tmp/root" PREFIX=/usr "$@" \
		>"$tmp/make.log" 2>&1
}

check "make install DESTDIR=... PREFIX=/usr" inst install
r=$tmp/root
for f in usr/sbin/evenflow usr/share/man/man8/evenflow.8 usr/share/man/man5/evenflow.yaml.5 \
	usr/share/bash-completion/completions/evenflow usr/lib/systemd/system/evenflow.service \
	etc/evenflow/evenflow.yaml usr/share/doc/evenflow/README.md; do
	check "installs /$f" test -s "$r/$f"
done
for f in contrib/*.json contrib/*.rules.yml; do
	[[ -e $f ]] && check "installs /usr/share/evenflow/${f##*/}" cmp "$f" "$r/usr/share/evenflow/${f##*/}"
done
check "the installed binary says the VERSION" \
	grep -qx "evenflow $(cat VERSION)" <("$r/usr/sbin/evenflow" --version)
check "the unit runs the installed binary" grep -q '^ExecStart=/usr/sbin/evenflow ' \
	"$r/usr/lib/systemd/system/evenflow.service"
check "no path under /usr/local left in the unit" \
	bash -c "! grep -q /usr/local '$r/usr/lib/systemd/system/evenflow.service'"
check "the man pages render" man -l "$r/usr/share/man/man8/evenflow.8"
echo "# edited" >>"$r/etc/evenflow/evenflow.yaml"
check "a second install" inst install
check "keeps an edited configuration" grep -qx "# edited" "$r/etc/evenflow/evenflow.yaml"
check "make uninstall" inst uninstall
check "leaves only the configuration" \
	test "$(cd "$r" && find . -type f)" = "./etc/evenflow/evenflow.yaml"
# The unit as systemd reads it: installed with the binary where its
# ExecStart says (a prefix under the temporary directory, /etc there too).
p=$tmp/prefix
check "make install PREFIX=$p" inst install DESTDIR= PREFIX="$p" SYSCONFDIR="$p/etc"
check "systemd-analyze verify passes for the unit" \
	systemd-analyze verify "$p/lib/systemd/system/evenflow.service"
check "the Debian package's version is VERSION" \
	test "$(dpkg-parsechangelog -l debian/changelog -S Version)" = "$(cat VERSION)"
echo "1..$n"
((failed == 0))
