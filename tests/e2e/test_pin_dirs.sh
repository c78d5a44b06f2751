#!/bin/bash
# Story (issue 12): where the state lives. Under `ip netns exec`, a pin dir
# whose bpffs would vanish with the command is refused before anything is
# attached, with one line saying what to do, and the device stays clean; a
# bpffs is never mounted over a non-empty directory nor on /; a second
# daemon on one pin dir is refused, naming the first's pid.
set -uo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=tests/e2e/daemon.sh
source "$(dirname "$0")/daemon.sh"

EF_SERVERS=0 e2e_up
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"; ef_harness_down' EXIT
DEV=$EF_LB_CLIENT_DEV
xdp_on_dev() { ip -n "$EF_NS_LB" -j link show "$DEV" | jq -r '.[0].xdp.prog.id // empty'; }

# ---- a bpffs that would vanish with the command ----
# ip netns exec gives the command a mount namespace of its own, with a fresh
# /sys: /sys/fs/bpf there is not bpffs, and one mounted now dies with it.
vanish=/sys/fs/bpf/evenflow-$EF_PREFIX
out=$(ip netns exec "$EF_NS_LB" "$EVENFLOW" --pin-dir "$vanish" attach "$DEV" 2>&1)
rc=$?
if ((rc == 1)) && grep -qF "evenflow: pin dir $vanish is not on bpffs, and one mounted now would vanish" <<<"$out" &&
	grep -qF "mount -t bpf bpf $vanish" <<<"$out" && (($(wc -l <<<"$out") == 1)); then
	ok "attach under ip netns exec on a vanishing bpffs: refused in one line saying what to do"
else
	not_ok "attach under ip netns exec on a vanishing bpffs: refused" "exit $rc: $out"
fi
if [[ -z $(xdp_on_dev) ]]; then
	ok "nothing is left on the device"
else
	not_ok "nothing is left on the device" "program $(xdp_on_dev)"
fi

# ---- never over files, never on / ----
mkdir -p "$tmp/full"
echo keep >"$tmp/full/file"
out=$(nsenter --net=/run/netns/"$EF_NS_LB" "$EVENFLOW" --pin-dir "$tmp/full" \
	attach "$DEV" 2>&1)
rc=$?
if ((rc == 1)) && grep -qF "pin dir $tmp/full: not on bpffs and not empty: refusing to mount" <<<"$out" &&
	[[ $(cat "$tmp/full/file") == keep ]] && ! findmnt -rn "$tmp/full" >/dev/null; then
	ok "a non-empty directory: refused, nothing mounted over its files"
else
	not_ok "a non-empty directory: refused, nothing mounted over its files" "exit $rc: $out"
fi
out=$("$EVENFLOW" --pin-dir / vip add 10.0.0.10:80/tcp 2>&1)
rc=$?
if ((rc == 1)) && grep -qF "refusing to mount bpffs on /" <<<"$out" &&
	! findmnt -rn -t bpf / >/dev/null; then
	ok "--pin-dir /: refused, nothing mounted on /"
else
	not_ok "--pin-dir /: refused, nothing mounted on /" "exit $rc: $out"
fi
if [[ -z $(xdp_on_dev) ]]; then
	ok "still nothing on the device"
else
	not_ok "still nothing on the device" "program $(xdp_on_dev)"
fi

# ---- one daemon per pin dir ----
cat >"$EF_RUN/evenflow.yaml" <<YAML
vips: []
YAML
check "attach" ef_lb_attach
daemon_up "$EF_RUN/evenflow.yaml"
out=$(timeout 10 ip netns exec "$EF_NS_LB" "$EVENFLOW" --pin-dir "$(ef_pin_dir_of lb)" daemon \
	--config "$EF_RUN/evenflow.yaml" 2>&1)
rc=$?
if ((rc == 1)) && grep -qE "evenflow: another daemon \(pid $DAEMON_PID\) runs for pin dir $(ef_pin_dir_of lb)" \
	<<<"$out"; then
	ok "a second daemon on the pin dir: refused, naming the first's pid ($DAEMON_PID)"
else
	not_ok "a second daemon on the pin dir: refused, naming the first's pid" "exit $rc: $out"
fi
if kill -0 "$DAEMON_PID"; then
	ok "the first one runs on"
else
	not_ok "the first one runs on"
fi
if daemon_stop >"$tmp/stop"; then ok "daemon stopped"; else not_ok "daemon stopped" "$(cat "$tmp/stop")"; fi
e2e_done
