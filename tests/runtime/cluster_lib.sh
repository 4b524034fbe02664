# Sourced by the cluster end-to-end scripts: a work directory (the current one) removed at exit
# with every process in $pids killed, fail() that shows the tail of each file in $logs, and the
# wait for a core's served port.
work=$(mktemp -d)
pids=()
logs=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
cd "$work"

fail() {
  echo "FAIL: $*"
  for f in "${logs[@]}"; do
    [ -f "$f" ] && { echo "--- $f"; tail -n 40 "$f"; }
  done
  exit 1
}

# core_port PID LOG: the port of the core's "core directory served on" line, once it is logged
# (empty if the core exits first or never says it).
core_port() {
  local port=""
  for _ in $(seq 1 150); do
    port=$(grep -o 'core directory served on 127.0.0.1:[0-9]*' "$2" | head -n 1 | sed 's/.*://') || true
    [ -n "$port" ] && break
    kill -0 "$1" 2>/dev/null || break
    sleep 0.2
  done
  echo "$port"
}
