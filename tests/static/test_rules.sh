#!/bin/bash
# The alert rules (contrib/evenflow.rules.yml) pass `promtool check rules`
# and their unit tests (tests/static/rules_test.yml, promtool test rules):
# each alert fires on the series that should raise it and not on healthy
# ones. TAP output. (Every metric name they use is served: e2e
# test_dashboard_metrics.)
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")" || exit 1
n=0
failed=0
check() {
	local desc=$1 out
	shift
	n=$((n + 1))
	if out=$("$@" 2>&1); then
		echo "ok $n - $desc"
	else
		failed=$((failed + 1))
		echo "not ok $n - $desc"
		sed 's/^/# /' <<<"$out"
	fi
}
check "promtool check rules" promtool check rules ../../contrib/evenflow.rules.yml
check "promtool test rules" promtool test rules rules_test.yml
echo "1..$n"
((failed == 0))
