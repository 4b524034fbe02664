#!/usr/bin/env bash
# Quiet when closed, end to end (issue #14): kis-engine against its embedded simulator on the
# 2026 calendar ([sim] start puts the market's clock, shared by the simulator and the engine,
# on Tuesday 2026-03-10).
#  1. A night start (03:00): after start-up not one REST call and no market-data registration
#     for the whole run; the day's holidays are asked once (chk-holiday, class history).
#  2. The same night again: the holidays come from data_dir, not from a call.
#  3. A start just before Nextrade's pre-market (08:00): quiet at first, then at 07:59 the
#     engine registers market data, polls and loads the strategies' history.
set -euo pipefail
engine=$(realpath "$1")
work=$(mktemp -d)
trap '[ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT
cd "$work"
fail() { echo "FAIL: $*"; exit 1; }

# run START SECONDS TAG: the engine in the background with its metrics on a free port.
run() {
  cat >engine.toml <<EOF
mode = "sim"
data_dir = "$work/data"
[sim]
start = "2026-03-10 $1"
[analyzers]
symbol_count = 30
EOF
  "$engine" run -c engine.toml --duration "$2s" --metrics-port 0 >"$3.out" 2>"$3.err" &
  pid=$!
}
# started TAG: waits until start-up is over (the calendar's holidays applied); sets url.
started() {
  for _ in $(seq 1 150); do
    if grep -q "chk-holiday" "$1.err"; then
      url=$(grep -o 'metrics on http://127.0.0.1:[0-9]*' "$1.err" | head -n 1 | sed 's/metrics on //')
      return 0
    fi
    sleep 0.2
  done
  cat "$1.err"
  fail "$1: start-up never finished"
}
calls() { "$engine" metrics --url "$1" | awk '/^API calls total/ {print $4}'; }
registrations() { "$engine" metrics --url "$1" | awk '/^ws registrations/ {print $3}'; }
by_class() { grep -o "$2 [0-9]*" "$1.out" | head -n 1 | awk '{print $2}'; }
finish() {
  wait "$pid" || { cat "$1.err"; fail "$1: exit code $?"; }
  grep -q "== kis-engine summary" "$1.out" || fail "$1: no summary"
  grep "REST by class" "$1.out"
}

# 1. The night.
run "03:00" 20 night
started night
sleep 2
first=$(calls "$url")
sleep 8
[ "$(calls "$url")" = "$first" ] || fail "night: REST calls after start-up ($first, then more)"
regs=$(registrations "$url")
[ "$regs" -le 1 ] || fail "night: $regs WebSocket registrations (notices only expected)"
finish night
[ "$(by_class night market_data)" = 0 ] || fail "night: market-data calls"
[ "$(by_class night history)" = 1 ] || fail "night: history calls other than chk-holiday"
grep -Eq "^symbols +30 watched: 0 on WebSocket" night.out || fail "night: symbols on the WebSocket"

# 2. The same night, restarted: chk-holiday's answer is on disk.
run "03:00" 6 again
started again
finish again
[ "$(by_class again history)" = 0 ] || fail "again: chk-holiday asked twice in one day"

# 3. Before the open: quiet, then awake at 07:59 (a minute before Nextrade's pre-market).
run "07:58:44" 36 open
started open
sleep 2
first=$(calls "$url")
[ "$(registrations "$url")" -le 1 ] || fail "open: market data registered before 07:59"
sleep 4
[ "$(calls "$url")" = "$first" ] || fail "open: REST calls before 07:59"
finish open
[ "$(by_class open market_data)" -gt 0 ] || fail "open: no polling after the wake-up"
[ "$(by_class open history)" -gt 0 ] || fail "open: no history loaded at the wake-up"
grep -Eq "^symbols +30 watched: [1-9][0-9]* on WebSocket" open.out ||
  fail "open: nothing on the WebSocket after the wake-up"
echo "sessions run: ok"
