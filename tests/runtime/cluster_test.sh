#!/usr/bin/env bash
# End to end, two processes on loopback: a core (`kis-engine run --serve-port 0`, sim mode)
# and an analyzer/strategy node (`kis-engine node --core 127.0.0.1:PORT`). The node's analyzers
# get their data through the core (polls through its gateway, ticks from its feed), its strategy
# trades through the core's executor, the one budget holds (the core's governor and the
# simulator's server-side count stay within the limit), both exit 0; a second node stops
# cleanly with a clear message when the core shuts down.
set -euo pipefail
engine=$1
source "$(dirname "$0")/cluster_lib.sh"
logs=(core.err core.out node.err node.out node2.err node2.out)

# The core watches 10 symbols (ma_cross trades on them) and keeps few WebSocket slots, so most
# of the node's symbols are polled over REST through the core's gateway.
# The safety margin covers the scheduling jitter of a loaded CI box between a grant and the
# call's arrival at the simulator (the server-side count below is checked to the limit).
cat >core.toml <<'TOML'
data_dir = "core-data"
[budget]
safety_margin = "100ms"
[analyzers]
symbol_count = 10
[feed]
max_registrations = 12
TOML
cat >node.toml <<'TOML'
[analyzers]
count = 2
symbols = ["096770", "009150", "018260", "011200", "010130", "086790"]
poll_interval = "1s"
history_days = 20
[[strategy]]
name = "ma_cross"
id = "node_ma_cross"
symbols = ["096770", "009150", "018260"]
params = { fast = 2, slow = 3, qty = 1 }
trade = true
TOML

"$engine" run -c core.toml --serve-port 0 --metrics-port 0 --duration 50s -q \
  >core.out 2>core.err &
core=$!
pids+=("$core")

port=$(core_port "$core" core.err)
[ -n "$port" ] || fail "the core never logged its served port"
# The metrics line comes before the directory's.
url=$(grep -o 'metrics on http://127.0.0.1:[0-9]*' core.err | head -n 1 | sed 's/metrics on //') || true
[ -n "$url" ] || fail "the core never logged its metrics endpoint"
echo "core serves on 127.0.0.1:$port, metrics at $url"

"$engine" node --core "127.0.0.1:$port" -c node.toml --duration 20s >node.out 2>node.err &
node=$!
pids+=("$node")

# While the node runs: the core's governor never has more calls in the last second than its
# limit (the figure the metrics report is "calls / limit").
samples=0
while kill -0 "$node" 2>/dev/null; do
  sleep 2
  calls=""
  limit=""
  if "$engine" metrics --url "$url" >metrics.txt 2>/dev/null; then
    line=$(grep "API calls last second" metrics.txt || true)
    read -r calls limit < <(echo "$line" | sed -E 's#.* ([0-9]+) / ([0-9]+).*#\1 \2#') || true
    if [ -n "${calls:-}" ] && [ -n "${limit:-}" ]; then
      samples=$((samples + 1))
      [ "$calls" -le "$limit" ] || fail "core governor: $calls calls in the last second > limit $limit"
    fi
  fi
done
[ "$samples" -gt 0 ] || fail "never read the core's metrics"
wait "$node" || fail "the node exited with $?"
cat node.out
grep -q "connected to the core at 127.0.0.1:$port" node.err || fail "node: no connection line"
grep -q "== kis-engine node summary (sim" node.out || fail "node: no summary"
polls=$(sed -nE 's/^analyzers .* ([0-9]+) polls.*/\1/p' node.out)
events=$(sed -nE 's/^analyzers .* ([0-9]+) events$/\1/p' node.out)
[ "${polls:-0}" -gt 0 ] || fail "node: no poll went through the core's gateway"
[ "${events:-0}" -gt 0 ] || fail "node: its analyzers published no event"
grep -Eq "^strategies [1-9][0-9]* events" node.out || fail "node: its strategy saw no event"

# A second node without a duration stops when the core shuts down.
"$engine" node --core "127.0.0.1:$port" -c node.toml >node2.out 2>node2.err &
node2=$!
pids+=("$node2")
for _ in $(seq 1 100); do
  grep -q "connected to the core" node2.err && break
  sleep 0.2
done
grep -q "connected to the core" node2.err || fail "node 2 never connected"
sleep 2
kill -TERM "$core"
wait "$core" || fail "the core exited with $?"
for _ in $(seq 1 100); do
  kill -0 "$node2" 2>/dev/null || break
  sleep 0.2
done
kill -0 "$node2" 2>/dev/null && fail "node 2 still runs 20 s after the core stopped"
wait "$node2" || fail "node 2 exited with $? after an orderly core shutdown"
grep -q "the core at 127.0.0.1:$port went away" node2.err || fail "node 2: no clear message"
grep -q "== kis-engine node summary" node2.out || fail "node 2: no summary"

cat core.out
grep -q "== kis-engine summary (sim" core.out || fail "core: no summary"
read -r seen simlimit < <(sed -nE 's/.*simulator saw at most ([0-9]+) calls in any 1 s \(limit ([0-9]+)\).*/\1 \2/p' core.out) || true
[ -n "${seen:-}" ] || fail "core: no simulator line in the summary"
[ "$seen" -le "$simlimit" ] || fail "simulator saw $seen calls in one second, limit $simlimit"
echo "cluster: ok ($samples metric samples, node polls $polls, events $events, simulator max $seen/$simlimit)"
