#!/usr/bin/env bash
# End to end, `kis-engine run` in sim mode with a Python strategy in its config: the core starts
# its strategy host (`kis-engine node --python-host`) by itself, the Python strategy trades
# through the core's executor against the simulator, and its raising handler is counted.
#   trades: the Python strategy alone; orders filled, errors counted, both processes end well.
#   killed: a C++ strategy beside it; the host is killed (SIGKILL) once the Python strategy has
#           orders in the journal: the core sees it go, keeps trading (C++ orders after the
#           kill), ends with exit 0, and the journal is consistent (no intent without outcome,
#           fills add up to every order's filled quantity).
#   hung:   the same, but a Python handler never returns: the host's watchdog ends it after
#           --handler-timeout (10 s), and the core goes on as after a kill.
set -euo pipefail
engine=$1
case_name=$2
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../runtime/cluster_lib.sh"
logs=(core.err core.out)
cp "$here/pingpong.py" .

cat >core.toml <<'TOML'
data_dir = "data"
[analyzers]
symbols = ["096770", "009150", "018260", "011200", "010130", "086790"]
poll_interval = "1s"
history_days = 0
[[strategy]]
file = "pingpong.py"
id = "py"
symbols = ["096770", "009150", "018260"]
TOML
if [ "$case_name" = hung ]; then
  echo 'params = { qty = 1, hang_after = 150 }' >>core.toml
else
  echo 'params = { qty = 1 }' >>core.toml
fi
if [ "$case_name" != trades ]; then
  cat >>core.toml <<'TOML'
[[strategy]]
name = "ma_cross"
id = "cpp"
symbols = ["011200", "010130", "086790"]
params = { fast = 2, slow = 3, qty = 1 }
TOML
fi
journal=data/journal-sim.sqlite
count() { sqlite3 -readonly "$journal" "$1" 2>/dev/null || echo 0; }

duration=25s
[ "$case_name" != trades ] && duration=45s
"$engine" run -c core.toml --duration "$duration" -q >core.out 2>core.err &
core=$!
pids+=("$core")

host=""
for _ in $(seq 1 100); do
  host=$(sed -nE 's/.*python strategy host started \(pid ([0-9]+)\).*/\1/p' core.err | head -n 1)
  [ -n "$host" ] && break
  sleep 0.2
done
[ -n "$host" ] || fail "the core never started its Python strategy host"
pids+=("$host")

if [ "$case_name" = killed ]; then
  for _ in $(seq 1 150); do
    [ "$(count "SELECT count(*) FROM orders WHERE strategy_id = 'py'")" -gt 0 ] && break
    sleep 0.2
  done
  [ "$(count "SELECT count(*) FROM orders WHERE strategy_id = 'py'")" -gt 0 ] ||
    fail "the Python strategy journaled no order before the kill"
  killed_at=$(date +%s%N)
  kill -KILL "$host"
  echo "killed the Python strategy host (pid $host)"
fi

wait "$core" || fail "the core exited with $?"
cat core.out
grep -q "== kis-engine summary (sim" core.out || fail "no core summary"
filled_py=$(count "SELECT count(*) FROM orders WHERE strategy_id = 'py' AND filled_qty > 0")
[ "$filled_py" -gt 0 ] || fail "no order of the Python strategy was filled"

# The journal is consistent: no intent left without an outcome, fills add up.
open=$(count "SELECT count(*) FROM orders WHERE status IN (1, 7)")
[ "$open" -eq 0 ] || fail "$open orders left journaled/unknown"
mismatched=$(count "SELECT count(*) FROM orders o WHERE o.filled_qty !=
  (SELECT coalesce(sum(f.qty), 0) FROM fills f WHERE f.client_id = o.client_id)")
[ "$mismatched" -eq 0 ] || fail "$mismatched orders whose fills do not add up"

if [ "$case_name" = trades ]; then
  grep -q "== kis-engine node summary (sim" core.out || fail "no strategy host summary"
  errors=$(sed -nE 's/^strategies .* ([0-9]+) errors$/\1/p' core.out)
  [ "${errors:-0}" -gt 0 ] || fail "the raising handler was not counted"
  accepted=$(sed -nE 's/^strategies .* ([0-9]+) accepted, .*/\1/p' core.out)
  [ "${accepted:-0}" -gt 0 ] || fail "no signal of the Python strategy was accepted"
  grep -q "ended (exit code 0)" core.err || fail "the strategy host did not end in order"
  grep -Eq "^lost +[1-9]" core.out && fail "a host that stopped in order counted as lost"
elif [ "$case_name" = hung ]; then
  grep -q "on_tick has run for more than 10000 ms" core.err || grep -q "on_quote has run for more than 10000 ms" core.err ||
    fail "the host's watchdog did not name the hung handler"
  grep -q "python strategy host (pid $host) ended (exit code 3) during the run" core.err ||
    fail "the core did not report its hung strategy host's end"
  grep -Eq "^lost +1 strategies" core.out || fail "the executor did not see the strategy go"
  after=$(count "SELECT count(*) FROM orders WHERE strategy_id = 'cpp'")
  [ "$after" -gt 0 ] || fail "the core placed no C++ order"
else
  grep -q "python strategy host (pid $host) ended (signal 9) during the run" core.err ||
    fail "the core did not report its strategy host's end"
  grep -Eq "^lost +1 strategies" core.out || fail "the executor did not see the strategy go"
  after=$(count "SELECT count(*) FROM orders WHERE strategy_id = 'cpp' AND created_ns > $killed_at")
  [ "$after" -gt 0 ] || fail "the core placed no C++ order after the host was killed"
  echo "C++ orders after the kill: $after"
fi
echo "python host ($case_name): ok"
