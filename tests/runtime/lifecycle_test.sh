#!/usr/bin/env bash
# No failure can hang the process (issue #10), checked on real processes: every failure at
# start ends with one line and its code (2 configuration, 1 everything else), SIGTERM ends a run
# in every state, and a second SIGINT ends it at once. `timeout` only guards against a hang;
# nothing here measures speed.
set -uo pipefail
engine=$1
sim=$2
work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done
  rm -rf "$work"
}
trap cleanup EXIT
cd "$work"

fail() { echo "FAIL: $*"; exit 1; }
guard=40 # seconds: far beyond what any case needs; reaching it means the process hung

# Paper credentials for a loopback server (the simulator's defaults; they open nothing real).
export KIS_APP_KEY=PSkisSimDefaultAppKey000000000000001
export KIS_APP_SECRET=b5dea1f3f69fbb0ed6baf96b79410ce63f9732cc359d88c8398601c3476bf7dc2ccd6b18cc59f7502935824416aff45eb3edecd39d5f6dbf57c4a489457ec50703686ffa9d3fbbc23e4ec84ef5e9b3cd764f24bd3108d4768b56
export KIS_ACCOUNT=50000000-01
unset KIS_HTS_ID

cat >paper.toml <<'TOML'
data_dir = "data"
[analyzers]
symbols = ["005930", "000660"]
TOML

# expect_exit NAME CODE PATTERN -- command...: the command ends by itself with CODE and prints
# PATTERN on one line of stderr.
expect_exit() {
  local name=$1 code=$2 pattern=$3
  shift 4
  timeout -s KILL "$guard" "$@" >"$name.out" 2>"$name.err"
  local rc=$?
  [ "$rc" -ne 137 ] || fail "$name: hung (killed after ${guard}s)"
  [ "$rc" -eq "$code" ] || { cat "$name.err"; fail "$name: exit code $rc, expected $code"; }
  grep -Eq "$pattern" "$name.err" || { cat "$name.err"; fail "$name: no line matching '$pattern'"; }
  echo "ok: $name (exit $rc)"
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# 1. A configuration that cannot work at the mode's budget is refused before anything starts.
printf '[budget]\nsafety_margin = "900ms"\n' >late.toml
expect_exit late_config 2 "config error: budget.safety_margin" -- "$engine" run -c late.toml --mode paper
printf '[sim]\nenv = "paper"\n' >simpaper.toml
expect_exit sim_paper_starts 0 "duration over" -- "$engine" run -c simpaper.toml --duration 3s -q

# 2. Nobody listens at the REST address: one line, exit 1.
closed=$(free_port)
KIS_REST_URL=http://127.0.0.1:$closed KIS_WS_URL=ws://127.0.0.1:$closed \
  expect_exit unreachable 1 "cannot reach KIS" -- "$engine" run -c paper.toml --mode paper -q

# 3. A server that refuses the credentials.
"$sim" --env paper >sim.json 2>sim.err &
pids+=($!)
for _ in $(seq 1 100); do grep -q rest_url sim.json && break; sleep 0.1; done
rest=$(python3 -c 'import json,sys; print(json.load(open("sim.json"))["rest_url"])')
ws=$(python3 -c 'import json,sys; print(json.load(open("sim.json"))["ws_url"])')
KIS_REST_URL=$rest KIS_WS_URL=$ws KIS_APP_SECRET=wrong${KIS_APP_SECRET:5} \
  expect_exit bad_credentials 1 "refused the credentials" -- "$engine" run -c paper.toml --mode paper -q

# 4. The metrics port is taken.
python3 -c 'import socket,time; s=socket.socket(); s.bind(("127.0.0.1",0)); s.listen(); print(s.getsockname()[1], flush=True); time.sleep(60)' >busy.port &
pids+=($!)
for _ in $(seq 1 50); do [ -s busy.port ] && break; sleep 0.1; done
expect_exit port_in_use 2 "config error: metrics.port" -- "$engine" run --metrics-port "$(cat busy.port)" -q

# 5. SIGTERM while a server accepts connections and never answers (the token issue hangs).
python3 -c 'import socket,time
s=socket.socket(); s.bind(("127.0.0.1",0)); s.listen(64); print(s.getsockname()[1], flush=True)
conns=[]
while True:
    c,_=s.accept(); conns.append(c)' >stall.port &
pids+=($!)
for _ in $(seq 1 50); do [ -s stall.port ] && break; sleep 0.1; done
stall=$(cat stall.port)
sed 's/^data_dir = .*/data_dir = "stalled"/' paper.toml >stalled.toml
KIS_REST_URL=http://127.0.0.1:$stall KIS_WS_URL=ws://127.0.0.1:$stall \
  "$engine" run -c stalled.toml --mode paper -q >stalled.out 2>stalled.err &
p=$!
sleep 2
kill -TERM $p
timeout -s KILL "$guard" tail --pid=$p -f /dev/null || fail "stalled: SIGTERM did not end it"
wait $p
echo "ok: SIGTERM during a token issue that never answers (exit $?)"

# 6. SIGTERM during start-up's history load at paper's 1 call/s, and a normal drain.
printf '[sim]\nenv = "paper"\n[analyzers]\nsymbol_count = 60\n' >history.toml
"$engine" run -c history.toml --duration 0 -q >history.out 2>history.err &
p=$!
sleep 4
kill -TERM $p
timeout -s KILL "$guard" tail --pid=$p -f /dev/null || fail "history: SIGTERM did not end it"
wait $p
rc=$?
[ $rc -eq 0 ] || { cat history.err; fail "history: exit code $rc"; }
if grep -q "stop requested during start-up" history.err; then
  # A loaded machine may still be in the start-up checks after 4 s: that stop is clean too.
  echo "ok: SIGTERM during start-up ends it cleanly (exit 0)"
else
  grep -q "kis-engine summary" history.out || fail "history: no summary after SIGTERM"
  echo "ok: SIGTERM during the history load drains and summarises"
fi

# 7. A second SIGINT ends the process at once, without the drain.
"$engine" run --duration 0 -q >twice.out 2>twice.err &
p=$!
for _ in $(seq 1 100); do grep -q "budget" twice.err && break; sleep 0.1; done
sleep 1
kill -INT $p
kill -INT $p
timeout -s KILL "$guard" tail --pid=$p -f /dev/null || fail "twice: did not end"
wait $p
rc=$?
if [ $rc -eq 130 ]; then
  grep -q "second signal" twice.err || fail "twice: exit 130 without its line"
  echo "ok: a second SIGINT exits at once (130)"
else
  # The first signal's drain may win the race on an idle machine; it must still end cleanly.
  [ $rc -eq 0 ] || { cat twice.err; fail "twice: exit code $rc"; }
  echo "ok: the drain finished before the second SIGINT arrived"
fi
echo "lifecycle: ok"
