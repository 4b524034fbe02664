#!/usr/bin/env bash
# The live console in a real browser: a sim run of the engine serves `/` on its metrics port;
# headless Chromium loads it, lets its script fetch /metrics.json and redraw, and dumps the DOM.
# The DOM must show what the engine does: the budget, the slots and their holders, the actors,
# the blotter once orders exist. Skipped (exit 77) without Chromium. CONSOLE_SCREENSHOT=path
# also saves a png of the page (the README's picture is made this way).
set -euo pipefail
engine=$(realpath "$1")
browser=${KIS_CHROMIUM:-$(command -v chromium || command -v chromium-browser || true)}
if [ -z "$browser" ]; then
  echo "SKIP: Chromium not installed (apt-get install chromium, or set KIS_CHROMIUM)"
  exit 77
fi
work=$(mktemp -d)
pid=""
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
cd "$work"
fail() { echo "FAIL: $*"; [ -f dom.html ] && head -c 4000 dom.html; exit 1; }

"$engine" run --duration 120s --metrics-port 0 >stdout.txt 2>stderr.txt &
pid=$!
url=""
for _ in $(seq 1 150); do
  url=$(grep -o 'metrics on http://127.0.0.1:[0-9]*' stderr.txt | head -n 1 | sed 's/metrics on //') || true
  [ -n "$url" ] && break
  sleep 0.2
done
[ -n "$url" ] || fail "the engine never said where its metrics are"
# Wait (a condition, not a timed assertion) until the engine has orders, a position and has
# re-ranked its slots.
for _ in $(seq 1 120); do
  curl -sf "$url/metrics.json" >snap.json || true
  grep -q '"blotter_qty"' snap.json && grep -q '"ws_slot_score"' snap.json &&
    grep -q '"position_qty"' snap.json && break
  sleep 0.5
done
grep -q '"blotter_qty"' snap.json || fail "no order reached the blotter series"
grep -q '"position_qty"' snap.json || fail "no position after a minute of trading"
curl -sf "$url/" >page.html || fail "/ does not answer"
grep -q '<title>kis-engine console</title>' page.html || fail "/ does not serve the console"
grep -Eq 'src=|https?://' page.html && fail "the page loads something from elsewhere"

shoot() {
  timeout 120 "$browser" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync --hide-scrollbars \
    --user-data-dir="$work/profile-$1" --window-size=1600,1000 "${@:2}" \
    "$url/" 2>>chromium.log
}
shoot dom --virtual-time-budget=4000 --dump-dom >dom.html || fail "chromium failed: $(tail -5 chromium.log)"
grep -q 'id="status">updated' dom.html || fail "the page never updated from /metrics.json"
grep -Eq 'id="budget-text">[0-9]+ / 1?[0-9] calls/s' dom.html || fail "no budget gauge"
grep -Eq 'id="slots-text">[0-9]+ / 41 registrations' dom.html || fail "no WebSocket slots"
grep -Eq '<td>[0-9]{6}</td><td>(watched|followed|pinned)</td>' dom.html ||
  fail "no slot holder with its tier"
for actor in rate_governor ws_feed order_executor; do
  grep -q "<td>$actor</td>" dom.html || fail "no row for $actor in the actors table"
done
grep -Eq '<td>K[0-9]{8}-[0-9]+</td><td>[0-9]{6}</td><td>(buy|sell)</td>' dom.html ||
  fail "no order in the blotter"
grep -Eq 'id="pnl-text">-?[0-9,]+ KRW realised, -?[0-9,]+ unrealised' dom.html || fail "no P&L line"
grep -Eq '<td>[0-9]{6}</td><td>-?[0-9,]+</td><td>[0-9,]+</td><td>[0-9,]+</td><td><span class="?(pos|neg)"?>-?[0-9,]+</span></td>' dom.html ||
  fail "no position with its unrealised P&L"
# Calls per second by class: a row per permit class (the rate is "-" until the page has two
# snapshots a second apart, which virtual time does not give).
for cls in order cancel_revise pretrade account_query market_data history; do
  grep -Eq "<td>$cls</td><td>(-|[0-9,]+\.[0-9])</td><td>[0-9,]+</td>" dom.html || fail "no row for $cls"
done
if [ -n "${CONSOLE_SCREENSHOT:-}" ]; then
  # Real time (not virtual), so the page has two snapshots a second apart for its rates.
  shoot png --timeout=5000 --screenshot="$CONSOLE_SCREENSHOT" >/dev/null || fail "no screenshot"
  echo "screenshot: $CONSOLE_SCREENSHOT"
fi
echo "console: ok"
