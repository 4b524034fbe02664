#!/usr/bin/env bash
# kis-sim as a user starts it: the fault switches on its command line reach the server.
# Starts `kis-sim --error-rate 1 --market-closed`, takes a token with curl and sees every uapi
# call answered EGW00001 (HTTP 500); a malformed duration is refused with a line naming it.
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
"$sim" --app-key "$key" --app-secret "$secret" --error-rate 1 --hold-rate 0 --delay 10ms \
  --book-fields 62 >"$work/out.txt" 2>&1 &
pid=$!
url=""
for _ in $(seq 1 100); do
  url=$(grep -o '"rest_url": "[^"]*"' "$work/out.txt" | sed 's/.*: "//; s/"$//') || true
  [ -n "$url" ] && break
  sleep 0.1
done
[ -n "$url" ] || fail "kis-sim never printed where it listens"

token=$(curl -s -X POST "$url/oauth2/tokenP" -H 'content-type: application/json' \
  -d "{\"grant_type\":\"client_credentials\",\"appkey\":\"$key\",\"appsecret\":\"$secret\"}" |
  sed 's/.*"access_token":"\([^"]*\)".*/\1/')
[ -n "$token" ] || fail "no token"
status=$(curl -s -o "$work/price.json" -w '%{http_code}' \
  "$url/uapi/domestic-stock/v1/quotations/inquire-price?FID_COND_MRKT_DIV_CODE=J&FID_INPUT_ISCD=005930" \
  -H "authorization: Bearer $token" -H "appkey: $key" -H "appsecret: $secret" \
  -H 'tr_id: FHKST01010100' -H 'custtype: P')
[ "$status" = 500 ] || fail "expected HTTP 500 from --error-rate 1, got $status"
grep -q '"msg_cd":"EGW00001"' "$work/price.json" || fail "expected EGW00001: $(cat "$work/price.json")"
echo "ok"
