#!/usr/bin/env bash
# End to end: `kis-engine run` against the embedded simulator places and fills orders, ends
# with exit 0 and a summary, and never prints a secret (the environment's or the simulator's).
set -euo pipefail
engine=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

secret_key="PStestSecretAppKey0123456789abcdefghij"
secret_secret="s3cr3t-$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')"
sim_key="PSkisSimDefaultAppKey000000000000001"

fail() { echo "FAIL: $*"; exit 1; }

KIS_APP_KEY=$secret_key KIS_APP_SECRET=$secret_secret \
  "$engine" run --duration "${KIS_TEST_RUN_SECONDS:-45}s" --log-level debug --metrics-port 0 \
  >stdout.txt 2>stderr.txt &
pid=$!

# While it runs: `kis-engine metrics` and `kis-engine top` read its endpoint.
url=""
for _ in $(seq 1 100); do
  url=$(grep -o 'metrics on http://127.0.0.1:[0-9]*' stderr.txt | head -n 1 | sed 's/metrics on //') || true
  [ -n "$url" ] && break
  sleep 0.2
done
[ -n "$url" ] || fail "the engine never said where its metrics are"
sleep 3
"$engine" metrics --url "$url" >metrics.txt || fail "kis-engine metrics failed"
cat metrics.txt
grep -q "API calls total" metrics.txt || fail "metrics: no total calls"
grep -q "API success rate" metrics.txt || fail "metrics: no success rate"
grep -q "API calls last second" metrics.txt || fail "metrics: no calls in the last second"
"$engine" top --url "$url" -n 1 >top.txt || fail "kis-engine top failed"
grep -q "rate_governor" top.txt || fail "top: no rate_governor row"

wait "$pid" || { echo "exit code $?"; cat stderr.txt; exit 1; }
cat stdout.txt
grep -q "== kis-engine summary (sim" stdout.txt || fail "no summary"
grep -Eq "^symbols +1[0-9]{2} watched" stdout.txt || fail "fewer than 100 symbols watched"
grep -Eq "^orders .*[0-9]+ filled" stdout.txt || fail "no filled order in the summary"
grep -q "API success rate" stdout.txt || fail "no API figures"
for s in "$secret_key" "$secret_secret" "$sim_key"; do
  if grep -qF -- "$s" stdout.txt stderr.txt metrics.txt top.txt; then fail "a secret reached the output"; fi
done
# The token and approval key live in the cache file only; they must not be in any log line.
grep -q "Bearer ey" stderr.txt && fail "a token reached the log"
echo "engine run: ok"
