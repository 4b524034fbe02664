#!/usr/bin/env bash
# Paper trading figures (issue #10): kis-engine in paper mode with the default budget against
# kis-sim --env paper (1 call per sliding second), 60 symbols and one trading strategy, for
# SECONDS (120); then a restart on the same data dir, the same day. For each run: REST calls
# by class, signals and orders, the order's wait for its permit and signal -> KIS's answer
# (p50/p99 from the engine's own histograms), and the simulator's view (calls per TR, most
# calls in any sliding second, EGW00201).
#
#   bench/paper_run.sh [build dir] [seconds]      e.g. bench/paper_run.sh build/release 120
set -euo pipefail
build=${1:-build/release}
secs=${2:-120}
engine=$(realpath "$build/runtime/kis-engine")
sim=$(realpath "$build/sim/kis-sim")
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'kill $simpid 2>/dev/null || true; rm -rf "$work"' EXIT
cd "$work"

export KIS_APP_KEY=PSkisSimDefaultAppKey000000000000001
export KIS_APP_SECRET=b5dea1f3f69fbb0ed6baf96b79410ce63f9732cc359d88c8398601c3476bf7dc2ccd6b18cc59f7502935824416aff45eb3edecd39d5f6dbf57c4a489457ec50703686ffa9d3fbbc23e4ec84ef5e9b3cd764f24bd3108d4768b56
export KIS_ACCOUNT=50000000-01
export KIS_HTS_ID=kissim # kis-sim's HTS id: execution notices over the WebSocket

"$sim" --env paper >sim.out 2>sim.err &
simpid=$!
for _ in $(seq 1 100); do grep -q rest_url sim.out && break; sleep 0.1; done
KIS_REST_URL=$(python3 -c 'import json; print(json.loads(open("sim.out").readline())["rest_url"])')
KIS_WS_URL=$(python3 -c 'import json; print(json.loads(open("sim.out").readline())["ws_url"])')
export KIS_REST_URL KIS_WS_URL

# 60 symbols (the simulated market's largest); exec_tester trades ten of them: a marketable buy
# every 2 s at most (a signal stream a strategy could produce), so the order path has work.
universe=$("$sim" --list-symbols | sed -n '1,60p' | tr '\n' ' ') # sed reads it all: no SIGPIPE
python3 - "$universe" <<'PY' >engine.toml
import sys
syms = sys.argv[1].split()
q = lambda xs: ", ".join(f'"{s}"' for s in xs)
print('data_dir = "data"')
print(f'[analyzers]\nsymbols = [{q(syms)}]')
print('[sessions]\nenforce = false')  # kis-sim without --start never closes
print(f'[[strategy]]\nname = "exec_tester"\nid = "paper"\nsymbols = [{q(syms[:10])}]')
print('params = { count = 1000, per_event = 1, interval_ms = 2000, offset_ticks = -1, distinct_qty = false }')
PY

run() { # NAME SECONDS
  local name=$1 s=$2
  "$engine" run -c engine.toml --mode paper --duration "${s}s" --metrics-port 0 \
    >"$name.out" 2>"$name.err" &
  local pid=$! url=""
  for _ in $(seq 1 200); do
    url=$(grep -o 'metrics on http://127.0.0.1:[0-9]*' "$name.err" | head -n 1 | sed 's/metrics on //') || true
    [ -n "$url" ] && break
    sleep 0.1
  done
  sleep $((s - 3))
  python3 -c "import sys, urllib.request as u; sys.stdout.write(u.urlopen(sys.argv[1]).read().decode())" \
    "$url/metrics.json" >"$name.json" || true
  wait $pid
  echo "== $name ($s s): $(grep -m1 'budget ' "$name.err" | sed 's/.*\] //')"
  python3 "$here/paper_figures.py" "$name.json"
  grep -E "^(signals|orders|REST by class)" "$name.out" | sed 's/^/   /'
  python3 -c "import sqlite3; print('   history cache rows after the run:', sqlite3.connect('data/history-paper.sqlite').execute('select count(*) from daily_history').fetchone()[0])"
}

run first "$secs"
run restart $((secs / 2))
kill -TERM $simpid
wait $simpid || true
echo "== kis-sim: $(tail -n 1 sim.out)"
