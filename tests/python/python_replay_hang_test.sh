#!/usr/bin/env bash
# A Python handler that never returns, in a replay: replay runs its strategies on the command's
# own thread, so without a watchdog the command would hang for ever. With --handler-timeout 2s
# it ends with exit code 1 and one line that names the strategy and the handler.
set -euo pipefail
engine=$1
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../runtime/cluster_lib.sh"
logs=(record.err replay.err)
cp "$here/pingpong.py" .

symbols='"096770", "009150", "018260"'
cat >record.toml <<TOML
data_dir = "data"
[analyzers]
symbols = [$symbols]
poll_interval = "1s"
history_days = 0
[[strategy]]
name = "ma_cross"
symbols = [$symbols]
params = { fast = 2, slow = 3, qty = 1 }
TOML
"$engine" run -c record.toml --record --duration 8s -q >record.out 2>record.err ||
  fail "the recorded run failed"
[ -d data/recordings ] || fail "the run left no recording"

cat >hang.toml <<TOML
data_dir = "data"
[analyzers]
history_days = 0
[[strategy]]
file = "pingpong.py"
id = "py"
symbols = [$symbols]
params = { qty = 1, hang_after = 5 }
TOML
set +e
timeout 120 "$engine" replay data/recordings -c hang.toml --handler-timeout 2s -q \
  >replay.out 2>replay.err
code=$?
set -e
[ "$code" -eq 1 ] || fail "the replay ended with $code, not 1 (124: it hung)"
grep -Eq "^kis-engine replay: .*strategy 'py'.*on_(tick|quote) has run for more than 2000 ms; stopped \(--handler-timeout\)$" \
  replay.err || fail "no line naming the hung handler: $(cat replay.err)"
echo "python replay hang: ok"
