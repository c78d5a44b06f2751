#!/bin/bash
# Bash completion (contrib/evenflow.bash-completion) run as bash runs it:
# COMP_WORDS and COMP_CWORD set, _evenflow called, COMPREPLY checked.
# Objects, commands, options and choices come from the built binary's help;
# devices from /sys/class/net. (Live VIPs and backends: e2e test_doctor.)
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.." || exit 1
BUILD=${BUILD:-build}
[[ $BUILD == /* ]] || BUILD=$PWD/$BUILD
n=0
failed=0

# complete WORDS...: the completions of the last word (may be "").
complete_line() {
	PATH=$BUILD:$PATH bash -c '
		source contrib/evenflow.bash-completion
		COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
		_evenflow
		printf "%s\n" "${COMPREPLY[@]}" | sort' _ "$@"
}

# expect DESC "WORDS" WANTED...: the last word of WORDS completed (a
# trailing space: an empty word); every WANTED among the completions, and
# nothing but them when the first WANTED is "=".
expect() {
	local desc=$1 line=$2 exact=0 got w missing=() words
	shift 2
	[[ ${1:-} == = ]] && exact=1 && shift
	read -ra words <<<"$line"
	[[ $line == *" " ]] && words+=("")
	got=$(complete_line "${words[@]}")
	for w in "$@"; do
		grep -qxF -- "$w" <<<"$got" || missing+=("$w")
	done
	n=$((n + 1))
	if ((${#missing[@]} == 0)) && { ((exact == 0)) || [[ $(wc -l <<<"$got") == "$#" ]]; }; then
		echo "ok $n - $desc"
	else
		failed=$((failed + 1))
		echo "not ok $n - $desc"
		echo "# missing: ${missing[*]}; got: $(tr '\n' ' ' <<<"$got")"
	fi
}

expect "objects and top-level commands" "evenflow " vip backend decap attach status stats \
	check apply daemon help
expect "an object's commands" "evenflow vip " = add del list show
expect "the commands after global options" "evenflow -j --pin-dir /tmp backend " = add set del \
	list
expect "a command's options" "evenflow backend set 10.0.0.10:80/tcp 10.0.0.2 -" --weight \
	--state --force --json --pin-dir
expect "an option's choices" "evenflow backend set 10.0.0.10:80/tcp 10.0.0.2 --state " = up \
	drain down
expect "a choice after a value" "evenflow attach lo --conntrack-size 1024 --mode " = native generic
expect "devices for DEV" "evenflow attach " lo
expect "devices for decap DEV" "evenflow decap attach " lo
expect "a positional's choices" "evenflow doctor " = lb backend
expect "files for FILE" "evenflow apply contrib/evenflow." contrib/evenflow.yaml
echo "1..$n"
((failed == 0))
