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
	libmnl-dev # netlink: the VIP announcement table (user/daemon/announce.c)
	libcurl4-openssl-dev # HTTP client: the daemon polls its siblings' /metrics (user/daemon/peers.c)
	# harness, tests and demo
	iproute2 iputils-ping ethtool xdp-tools python3 curl jq tmux procps util-linux
	prometheus # promtool: the metrics test checks the exposition with it
	gnuplot-nox # make bench draws its chart
	# benchmarks (make bench): the end-to-end baselines and the TCP load
	nftables haproxy wrk nginx-light
	# the cluster harness (scripts/cluster.sh): one BIRD per namespace
	bird2
)

# Services a package enables (and may start) when installed, which the
# project never uses: the cluster harness runs its own BIRD per namespace with
# its own paths. Package -> service; disabled only when this run installed the
# package (a host that already ran it keeps it as it was).
declare -A HOST_SERVICES=([bird2]=bird)

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
disable_host_services
echo "deps: done"
