#!/bin/bash
# chart.sh RESULTS_DIR PNG: the bench's ratios as one PNG (gnuplot).
#  left:  data-plane cost per packet as a multiple of its baseline (minimal
#         XDP_TX program, or XDP_PASS for a packet not for a VIP), next to the
#         targets, and the reference encapsulator (the least an IPIP LB does);
#  right: UDP packets/s delivered to the backends, best of the rounds, per mode.
set -euo pipefail
dir=$1 png=$2
prog=$dir/prog.json e2e=$dir/e2e.json
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# case label, ratio, target
jq -r '.cases as $c |
	[["TCP est.", "tcp_established", "2.0"], ["TCP new", "tcp_new_flow", "4.0"],
	 ["UDP est.", "udp_established", "NaN"], ["IPv6 est.", "ipv6_established", "NaN"],
	 ["1M flows", "tcp_1m_flows", "6.0"], ["non-VIP*", "not_vip", "1.3"],
	 ["encap (ref.)", "ref_min_encap", "NaN"]][] |
	"\"\(.[0])\" \($c[.[1]].ratio) \(.[2])"' "$prog" >"$tmp/prog.dat"
jq -r '.udp_pps | to_entries[] | "\(.key) \(.value.best / 1e6)"' "$e2e" >"$tmp/e2e.dat"

gnuplot <<GP
set terminal pngcairo size 1100,450 font "sans,10" noenhanced
set output "$png"
set yrange [0:*]
set multiplot layout 1,2 title "evenflow, measured by make bench on $(date -u +%Y-%m-%d) ($(nproc) CPUs)"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set boxwidth 0.9
set grid ytics
set key top left
set xtics rotate by -30
set title "cost per packet ÷ baseline (lower is better)"
set ylabel "x minimal XDP_TX program (* x XDP_PASS)"
plot "$tmp/prog.dat" using 2:xtic(1) title "evenflow" lc rgb "#3a7bd5", \
     "" using 3 title "target (issue 6)" lc rgb "#bbbbbb"
set title "UDP packets/s at the backends (best round)"
set ylabel "Mpps"
unset key
plot "$tmp/e2e.dat" using 2:xtic(1) lc rgb "#3a7bd5"
unset multiplot
GP
echo "chart: $png"
