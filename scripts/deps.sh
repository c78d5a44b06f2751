#!/bin/bash
# Installs what one job of evenflow needs, from Debian 12 packages, and
# nothing more: `make` builds on a host that may be a production LB, so it
# installs only the build set; the tests, demos and benchmarks install their
# own sets when they run.
#
#   scripts/deps.sh [--check|--list] [SET...]   SET: build (default), test,
#                                   demo, demo-cluster, bench, fuzz, deb, all
# --check only reports, exit 1 naming what is missing; --list prints the
# sets' packages, one per line.
set -euo pipefail

# SET -> packages (a set includes the build set; harness: what the netns
# harness and its traffic tools run).
HARNESS="iproute2 iputils-ping ethtool xdp-tools python3 curl jq procps util-linux nftables"
declare -A SETS=(
	[build]="make gcc clang llvm libbpf-dev libxdp-dev libelf-dev zlib1g-dev pkg-config bpftool
		linux-libc-dev libc6-dev libjansson-dev libncurses-dev libmicrohttpd-dev libfyaml-dev
		libmnl-dev libcurl4-openssl-dev scdoc"
	# cmocka: unit and packet tests; promtool (prometheus): the metrics
	# exposition check and the alert rules' tests; tmux: the top test's
	# terminal; bird2: the cluster stories; man-db, systemd and dpkg-dev:
	# the manual pages, the unit and the package version checked
	[test]="$HARNESS libcmocka-dev prometheus tmux bird2 man-db systemd dpkg-dev"
	[demo]="$HARNESS"
	[demo-cluster]="$HARNESS bird2"
	# the end-to-end baselines (haproxy, nginx), the TCP load, the chart
	[bench]="$HARNESS haproxy nginx-light wrk gnuplot-nox"
	[fuzz]="libclang-rt-14-dev"
	# make deb: debhelper, and lintian to check the package
	[deb]="debhelper dpkg-dev lintian"
)

# Services a package enables (and may start) when installed, which evenflow
# never uses: its harness runs its own BIRD, servers and Prometheus tools
# with its own paths. Package -> service; disabled only when this run
# installed the package (a host that already had it keeps it as it was).
declare -A HOST_SERVICES=([bird2]=bird [prometheus]=prometheus [haproxy]=haproxy
	[nginx-light]=nginx)

disable_host_services() {
	local p s
	for p in "${missing[@]}"; do
		s=${HOST_SERVICES[$p]:-}
		[[ -n $s ]] || continue
		if [[ -e /lib/systemd/system/$s.service ]] && command -v systemctl >/dev/null; then
			systemctl disable --now "$s.service" >/dev/null 2>&1 || true
		fi
		if [[ -e /etc/init.d/$s ]]; then
			service "$s" stop >/dev/null 2>&1 || true
			update-rc.d "$s" disable >/dev/null 2>&1 || true
		fi
	done
}

mode=install
case ${1:-} in
--check | --list)
	mode=${1#--}
	shift
	;;
esac
wanted=("${@:-build}")
if [[ ${wanted[*]} == all ]]; then
	wanted=("${!SETS[@]}")
fi
packages=()
for set in "${wanted[@]}"; do
	if [[ -z ${SETS[$set]+x} ]]; then
		echo "deps: unknown set '$set' (build, test, demo, demo-cluster, bench, fuzz, deb, all)" >&2
		exit 2
	fi
	# shellcheck disable=SC2206 # the set's words
	packages+=(${SETS[build]} ${SETS[$set]})
done

if [[ $mode == list ]]; then
	printf '%s\n' "${packages[@]}" | sort -u
	exit 0
fi
missing=()
for p in $(printf '%s\n' "${packages[@]}" | sort -u); do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done

if [[ $mode == check ]]; then
	((${#missing[@]} == 0)) && exit 0
	echo "missing: ${missing[*]}"
	exit 1
fi
((${#missing[@]} == 0)) && exit 0
if ((EUID != 0)); then
	echo "deps: missing ${missing[*]}; run 'scripts/deps.sh ${wanted[*]}' as root" >&2
	exit 1
fi
echo "deps (${wanted[*]}): installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
disable_host_services
echo "deps: done"
