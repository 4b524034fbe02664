#!/usr/bin/env bash
# The fuzz targets' runner (built by tests/fuzz/project with clang; see tests/fuzz/CMakeLists.txt).
#   fuzz.sh smoke BIN CORPUS REGRESSIONS SECONDS   replay every regression input, then fuzz for
#                                                  SECONDS from the seed corpus (ctest, label fuzz)
#   fuzz.sh long BIN CORPUS RUNS [WORK]            RUNS inputs in one process, niced (RELIABILITY.md);
#                                                  with WORK the corpus it grows is kept there, so a
#                                                  later run goes on from where this one stopped;
#                                                  FUZZ_MAX_LEN caps its inputs (default 65536)
# A crash leaves its input in a temporary directory named in the output; copy it to
# tests/fuzz/regressions/<target>/ and add a unit test next to the code it broke.
set -euo pipefail
verb=$1
bin=$2
corpus=$3
# Inputs longer than any real frame, body or config the targets model are not interesting.
# The per-input timeout is generous: every target handles an input in well under a millisecond,
# but a shared machine can leave a niced process unscheduled for many seconds.
common=(-max_len=65536 -rss_limit_mb=2048 -print_final_stats=1)

if [ ! -x "$bin" ]; then
  echo "SKIP: $(basename "$bin") was not built: the fuzz targets need clang++-14 with libFuzzer" \
    "(apt-get install clang-14 libclang-rt-14-dev) and the CMake option KIS_FUZZ=ON"
  exit 77
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/corpus"

case "$verb" in
  smoke)
    regressions=$4
    seconds=$5
    shopt -s nullglob
    inputs=("$regressions"/*)
    if [ ${#inputs[@]} -gt 0 ]; then
      echo "replaying ${#inputs[@]} regression input(s) from $regressions"
      "$bin" "${common[@]}" -timeout=30 "${inputs[@]}"
    fi
    keep=$(mktemp -d /tmp/kis-fuzz-crash.XXXXXX)
    if ! "$bin" "${common[@]}" -timeout=30 -max_total_time="$seconds" -artifact_prefix="$keep/" \
      "$work/corpus" "$corpus"; then
      echo "FAIL: $(basename "$bin") found a crash; the input is in $keep"
      exit 1
    fi
    rmdir "$keep" 2>/dev/null || true
    ;;
  long)
    runs=$4
    grown="$work/corpus"
    if [ $# -ge 5 ]; then
      grown=$5
      mkdir -p "$grown"
    fi
    keep=$(mktemp -d /tmp/kis-fuzz-crash.XXXXXX)
    # One process (no -jobs), lowest priority: the machine is shared.
    # A long run may cap its inputs lower: once they grow to tens of KB a target spends its time
    # scanning bytes rather than finding paths (RELIABILITY.md).
    nice -n 19 "$bin" "${common[@]}" -max_len="${FUZZ_MAX_LEN:-65536}" -timeout=120 -runs="$runs" -artifact_prefix="$keep/" \
      "$grown" "$corpus" || { echo "FAIL: crash input(s) in $keep"; exit 1; }
    rmdir "$keep" 2>/dev/null || true
    ;;
  *)
    echo "usage: fuzz.sh smoke BIN CORPUS REGRESSIONS SECONDS | long BIN CORPUS RUNS [WORK]" >&2
    exit 2
    ;;
esac
