#!/usr/bin/env bash
# End to end, the cluster link over mutual TLS, on loopback: `kis-engine cert` makes a CA and
# node certificates in two commands; a core that would bind a non-loopback address without TLS,
# or names only part of its TLS files, is refused at start; a core with TLS refuses a node that
# has no certificate and a node whose certificate another CA signed (both exit 1 with a clear
# line), keeps running, and a node with a certificate of the cluster's CA trades through it.
set -euo pipefail
engine=$1
source "$(dirname "$0")/cluster_lib.sh"
logs=(core.err core.out plain.err rogue.err node.err node.out)

# Two commands make the cluster's CA and a node's certificate; a second CA plays the intruder.
"$engine" cert ca --dir pki >/dev/null
"$engine" cert node core --dir pki >/dev/null
"$engine" cert node node1 --dir pki >/dev/null
"$engine" cert ca --dir rogue >/dev/null
"$engine" cert node node1 --dir rogue >/dev/null
[ "$(stat -c %a pki/node1.key)" = 600 ] || fail "the node key is not mode 0600"
"$engine" cert node node1 --dir pki >/dev/null 2>&1 && fail "cert overwrote an existing key"

# Refused at start: every interface without TLS; half of the TLS files.
printf '[cluster]\nbind = "0.0.0.0"\n' >open.toml
if "$engine" run -c open.toml --serve-port 0 --duration 1s >open.out 2>&1; then
  fail "a core bound 0.0.0.0 without TLS"
fi
grep -q 'config error: cluster.bind: "0.0.0.0" is not a loopback address' open.out ||
  fail "no clear line for a non-loopback bind without TLS: $(cat open.out)"
printf '[cluster]\ntls_cert = "pki/core.pem"\n' >half.toml
"$engine" run -c half.toml --serve-port 0 --duration 1s >half.out 2>&1 && fail "half TLS accepted"
grep -q "config error: cluster.tls_key: tls_cert, tls_key and tls_ca go together" half.out ||
  fail "no clear line for half the TLS files: $(cat half.out)"
printf '[cluster]\ntls_cert = "rogue/node1.pem"\ntls_key = "rogue/node1.key"\ntls_ca = "pki/ca.pem"\n' \
  >mixed.toml
"$engine" run -c mixed.toml --serve-port 0 --duration 1s >mixed.out 2>&1 && fail "foreign cert accepted"
grep -q "config error: cluster.tls_cert: .* does not verify against the CA" mixed.out ||
  fail "no clear line for a certificate of another CA: $(cat mixed.out)"
# A node that would reach a core on another machine in clear text is refused before connecting.
printf '[analyzers]\nsymbols = ["005930"]\n' >plain.toml
"$engine" node --core 192.0.2.1:4242 -c plain.toml >far.out 2>&1 && fail "a far core in clear text"
grep -q "config error: cluster.tls_cert: the core at 192.0.2.1 is not on this machine" far.out ||
  fail "no clear line for a far core without TLS: $(cat far.out)"

cat >core.toml <<'TOML'
data_dir = "core-data"
[budget]
safety_margin = "100ms"
[analyzers]
symbol_count = 5
[cluster]
tls_cert = "pki/core.pem"
tls_key = "pki/core.key"
tls_ca = "pki/ca.pem"
TOML
node_toml() { # $1 = directory of the node's certificate, $2 = the CA file it trusts
  cat <<TOML
[analyzers]
count = 1
symbols = ["096770", "009150", "018260", "011200", "010130", "086790"]
poll_interval = "1s"
history_days = 5
[[strategy]]
name = "ma_cross"
id = "tls_node_ma_cross"
symbols = ["096770", "009150", "018260", "011200", "010130", "086790"]
params = { fast = 1, slow = 2, qty = 1 }
trade = true
[cluster]
tls_cert = "$1/node1.pem"
tls_key = "$1/node1.key"
tls_ca = "$2"
TOML
}
node_toml pki pki/ca.pem >node.toml
# The intruder trusts the core's CA as well as its own, so only the core's check can stop it.
cat rogue/ca.pem pki/ca.pem >rogue/both.pem
node_toml rogue rogue/both.pem >rogue.toml

"$engine" run -c core.toml --serve-port 0 --duration 45s -q >core.out 2>core.err &
core=$!
pids+=("$core")
port=$(core_port "$core" core.err)
[ -n "$port" ] || fail "the core never logged its served port"
grep -q "cluster: TLS with mutual certificate authentication" core.err || fail "core: no TLS line"

# No certificate, and a certificate from another CA: refused, exit 1, clear line.
"$engine" node --core "127.0.0.1:$port" -c plain.toml --duration 5s >plain.out 2>plain.err &
plain=$!
"$engine" node --core "127.0.0.1:$port" -c rogue.toml --duration 5s >rogue.out 2>rogue.err &
rogue=$!
pids+=("$plain" "$rogue")
rc=0; wait "$plain" || rc=$?
[ "$rc" = 1 ] || fail "a node without a certificate exited $rc, expected 1"
rc=0; wait "$rogue" || rc=$?
[ "$rc" = 1 ] || fail "a node with another CA's certificate exited $rc, expected 1"
for f in plain.err rogue.err; do
  grep -q "cannot reach the core at 127.0.0.1:$port" "$f" || fail "$f: no clear refusal line"
  grep -q "connected to the core" "$f" && fail "$f: connected"
done
kill -0 "$core" 2>/dev/null || fail "the core died after refusing two nodes"

# The node with the cluster's certificate trades through the core.
"$engine" node --core "127.0.0.1:$port" -c node.toml --duration 20s >node.out 2>node.err ||
  fail "the node exited with $?"
cat node.out
grep -q "connected to the core at 127.0.0.1:$port" node.err || fail "node: no connection line"
events=$(sed -nE 's/^analyzers .* ([0-9]+) events$/\1/p' node.out)
accepted=$(sed -nE 's/^strategies .* ([0-9]+) accepted, .*/\1/p' node.out)
[ "${events:-0}" -gt 0 ] || fail "node: its analyzers published no event"
[ "${accepted:-0}" -gt 0 ] || fail "node: no signal of its strategy was accepted by the core"

kill -TERM "$core"
wait "$core" || fail "the core exited with $?"
grep -q "== kis-engine summary (sim" core.out || fail "core: no summary"
echo "cluster over TLS: ok (node events $events, signals accepted by the core $accepted)"
