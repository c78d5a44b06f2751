#!/bin/bash
# Story: an operator watches `evenflow top` in an 80x24 terminal (tmux)
# while traffic flows: the screen shows the three backends with their
# shares and bars; tab, s and a resize keep it drawing; `q` exits with
# status 0 and the terminal restored (alternate screen off, shell prompt).
set -uo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "$0")/lib.sh"

VIP=10.0.0.10:80/tcp
SESSION=efo-top-$$
TMP=$(mktemp -d)

e2e_up
trap 'tmux kill-session -t "$SESSION" 2>/dev/null; ef_harness_down; rm -rf "$TMP"' EXIT

check "VIP with three equal backends" \
	e2e_vip "$VIP" "$(ef_backend_ip4 1)" "$(ef_backend_ip4 2)" "$(ef_backend_ip4 3)"
check "attach" ef_lb_attach
httpload http://10.0.0.10/ -n 1500 -c 8 --rate 150 --timeout 3 --max-time 10 >"$TMP/load" 2>&1 &
LOAD=$!

# A plain shell in an 80x24 terminal; top runs in it, then the shell reports.
tmux new-session -d -s "$SESSION" -x 80 -y 24 "env -i PATH=$PATH TERM=screen HOME=$TMP bash --norc --noprofile"
tmux send-keys -t "$SESSION" "ip netns exec $EF_NS_LB $EVENFLOW --pin-dir $(ef_pin_dir_of lb) top; echo top-exit=\$?" Enter

# Wait (bounded) until the screen shows shares with traffic.
screen=""
for _ in $(seq 30); do
	sleep 0.5
	screen=$(tmux capture-pane -p -t "$SESSION")
	[[ $screen == *"new flows"* ]] && grep -qE "^$(ef_backend_ip4 1) .* [0-9]+\.[0-9]%" <<<"$screen" &&
		(($(grep -cE '\[#+ *\|? *\]|\[#*\|#* *\]' <<<"$screen") >= 3)) && break
done
missing=""
for i in 1 2 3; do
	grep -qE "^$(ef_backend_ip4 "$i") +up +1 .*[1-9][0-9]?\.[0-9]% +33\.3%" <<<"$screen" ||
		missing+=" $(ef_backend_ip4 "$i")"
done
if [[ -z $missing ]] && grep -q "VIP 1/1: $VIP" <<<"$screen"; then
	ok "top shows the VIP and its three backends with their shares (expected 33.3%)"
else
	not_ok "top shows the VIP and its three backends with their shares" "missing:$missing"$'\n'"$screen"
fi
if [[ $(tmux display -p -t "$SESSION" '#{alternate_on}') == 1 ]]; then
	ok "top runs full-screen (alternate screen on)"
else
	not_ok "top runs full-screen (alternate screen on)"
fi
width=$(awk '{ if (length($0) > w) w = length($0) } END { print w + 0 }' <<<"$screen")
if ((width <= 80)); then
	ok "every line fits 80 columns ($width)"
else
	not_ok "every line fits 80 columns" "$screen"
fi

# Keys and a resize: it keeps drawing.
tmux send-keys -t "$SESSION" Tab
tmux send-keys -t "$SESSION" s
tmux resize-window -t "$SESSION" -x 100 -y 30 2>/dev/null
sleep 1.5
screen=$(tmux capture-pane -p -t "$SESSION")
if grep -q "sort: share" <<<"$screen" && grep -q "pkt/s  new/s" <<<"$screen" &&
	(($(grep -cE "^10\.200\.[123]\.2 " <<<"$screen") == 3)); then
	ok "after tab, s and a resize to 100x30: sorted by share, wider layout"
else
	not_ok "after tab, s and a resize to 100x30: sorted by share, wider layout" "$screen"
fi
tmux resize-window -t "$SESSION" -x 80 -y 24 2>/dev/null

tmux send-keys -t "$SESSION" q
screen=""
for _ in $(seq 20); do
	sleep 0.25
	screen=$(tmux capture-pane -p -t "$SESSION")
	[[ $screen == *top-exit=* ]] && break
done
if grep -q "top-exit=0" <<<"$screen" && [[ $(tmux display -p -t "$SESSION" '#{alternate_on}') == 0 ]] &&
	! grep -q "evenflow top  VIP" <<<"$screen"; then
	ok "q exits with status 0 and restores the terminal"
else
	not_ok "q exits with status 0 and restores the terminal" "$screen"
fi
wait "$LOAD" 2>/dev/null
e2e_done
