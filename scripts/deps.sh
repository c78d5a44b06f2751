#!/bin/bash
# Install what evenflow needs to build, test and run its demo, from Debian 12
# packages. `deps.sh --check` only reports whether anything is missing.
set -euo pipefail

PACKAGES=(
	# build
	make gcc clang llvm libbpf-dev libxdp-dev libelf-dev zlib1g-dev pkg-config bpftool
	linux-libc-dev libc6-dev
	# user-space libraries (see README, "Libraries")
	libjansson-dev libcmocka-dev libclang-rt-14-dev libncurses-dev libmicrohttpd-dev libfyaml-dev
	# harness, tests and demo
	iproute2 iputils-ping ethtool xdp-tools python3 curl jq tmux procps util-linux
	prometheus # promtool: the metrics test checks the exposition with it
	gnuplot-nox # make bench draws its chart
	# benchmarks (make bench): the end-to-end baselines and the TCP load
	nftables haproxy wrk nginx-light
)

missing=()
for p in "${PACKAGES[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done

if [[ ${1:-} == --check ]]; then
	((${#missing[@]} == 0)) && exit 0
	echo "missing: ${missing[*]}"
	exit 1
fi

if ((${#missing[@]} == 0)); then
	echo "deps: everything is installed"
	exit 0
fi
if ((EUID != 0)); then
	echo "deps: missing ${missing[*]}; run 'make deps' as root" >&2
	exit 1
fi
echo "deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "deps: done"
