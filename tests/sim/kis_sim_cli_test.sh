#!/usr/bin/env bash
# kis-sim as a user starts it: the fault switches on its command line reach the server.
# Starts `kis-sim --error-rate 1 --market-closed`, takes a token with curl and sees every uapi
# call answered EGW00001 (HTTP 500); a malformed duration is refused with a line naming it.
# Then the market clock: `--start` on a Saturday refuses orders with 40580000 and chk-holiday
# says the day is shut; a bad --start or --session is refused with a line naming it.
set -euo pipefail
sim=$1
work=$(mktemp -d)
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }

if "$sim" --hold-for 20x >"$work/bad.txt" 2>&1; then fail "a malformed --hold-for was accepted"; fi
grep -q -- "--hold-for: expected a duration" "$work/bad.txt" || fail "no line names --hold-for"

key=PStestKisSimCliKey000000000000000001
secret=$(printf 'c%.0s' $(seq 1 180))

# start_sim ARGS...: runs kis-sim with our credentials, sets pid, url and token.
start_sim() {
  "$sim" --app-key "$key" --app-secret "$secret" "$@" >"$work/out.txt" 2>&1 &
  pid=$!
  url=""
  for _ in $(seq 1 100); do
    url=$(grep -o '"rest_url": "[^"]*"' "$work/out.txt" | sed 's/.*: "//; s/"$//') || true
    [ -n "$url" ] && break
    sleep 0.1
  done
  [ -n "$url" ] || fail "kis-sim $* never printed where it listens"
  token=$(curl -s -X POST "$url/oauth2/tokenP" -H 'content-type: application/json' \
    -d "{\"grant_type\":\"client_credentials\",\"appkey\":\"$key\",\"appsecret\":\"$secret\"}" |
    sed 's/.*"access_token":"\([^"]*\)".*/\1/')
  [ -n "$token" ] || fail "no token from kis-sim $*"
}

start_sim --error-rate 1 --hold-rate 0 --delay 10ms --book-fields 62
status=$(curl -s -o "$work/price.json" -w '%{http_code}' \
  "$url/uapi/domestic-stock/v1/quotations/inquire-price?FID_COND_MRKT_DIV_CODE=J&FID_INPUT_ISCD=005930" \
  -H "authorization: Bearer $token" -H "appkey: $key" -H "appsecret: $secret" \
  -H 'tr_id: FHKST01010100' -H 'custtype: P')
[ "$status" = 500 ] || fail "expected HTTP 500 from --error-rate 1, got $status"
grep -q '"msg_cd":"EGW00001"' "$work/price.json" || fail "expected EGW00001: $(cat "$work/price.json")"
kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""

if "$sim" --start "2026-13-01 10:00" >"$work/bad.txt" 2>&1; then fail "a bad --start was accepted"; fi
grep -q -- "--start: expected a KST time" "$work/bad.txt" || fail "no line names --start"
if "$sim" --session krx.lunch=12:00-13:00 >"$work/bad.txt" 2>&1; then fail "a bad --session was accepted"; fi
grep -q -- "sessions.krx.lunch" "$work/bad.txt" || fail "no line names the session key"

start_sim --start "2026-12-05 10:00" --speed 1 --session nxt.regular=09:00:30-15:20
auth=(-H "authorization: Bearer $token" -H "appkey: $key" -H "appsecret: $secret" -H 'custtype: P')
curl -s -X POST "$url/uapi/domestic-stock/v1/trading/order-cash" "${auth[@]}" \
  -H 'tr_id: TTTC0012U' -H 'content-type: application/json' \
  -d '{"CANO":"50000000","ACNT_PRDT_CD":"01","PDNO":"005930","ORD_DVSN":"01","ORD_QTY":"1","ORD_UNPR":"0","EXCG_ID_DVSN_CD":"KRX"}' \
  >"$work/order.json"
grep -q '"msg_cd":"40580000"' "$work/order.json" || fail "a Saturday order was not refused: $(cat "$work/order.json")"
sleep 0.1 # one call a sliding second is far inside the budget; keep clear of it anyway
curl -s "$url/uapi/domestic-stock/v1/quotations/chk-holiday?BASS_DT=20261205&CTX_AREA_NK=&CTX_AREA_FK=" \
  "${auth[@]}" -H 'tr_id: CTCA0903R' >"$work/holiday.json"
grep -q '"bass_dt":"20261205","wday_dvsn_cd":"07","bzdy_yn":"N","tr_day_yn":"Y","opnd_yn":"N"' \
  "$work/holiday.json" || fail "chk-holiday: $(cat "$work/holiday.json")"
echo "ok"
