#!/bin/sh
# tests/fuzz/run.sh — build the libFuzzer targets with clang and run each
# for a bounded time (what CI runs: `tests/fuzz/run.sh 60`).
#
#   tests/fuzz/run.sh [SECONDS] [TARGET...]   fuzz each TARGET (default: all
#                                             three) for SECONDS (default 60)
#   tests/fuzz/run.sh --merge [TARGET...]     minimize the corpus found by
#                                             earlier runs into the committed
#                                             corpus tests/fuzz/corpus/TARGET
#   tests/fuzz/run.sh --seed                  rebuild the committed corpus
#                                             from the seeds (tests/jx/**,
#                                             examples, ../shared/conformance)
#
# The fuzzers run on the committed corpus (read only) and write what they
# discover to build-fuzz/work/TARGET/, crashes to build-fuzz/crashes/.  Each
# target: -rss_limit_mb=2560, -timeout=30 (a single input running longer is
# a finding: the targets bound themselves to 250 ms of CPU per command),
# the dictionary tests/fuzz/jx.dict, one job.  Prints per target the
# executions run and the crashes found, then `N passed, N failed` (a target
# passes when it found nothing); exits 1 on any finding.
# Environment: JX_FUZZ_BUILD (default build-fuzz), CC (default clang).
set -eu
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
B=${JX_FUZZ_BUILD:-build-fuzz}
CC=${CC:-clang}
ALL="fuzz_parse fuzz_eval fuzz_ad"

mode=run
secs=60
case "${1:-}" in
  --merge) mode=merge; shift ;;
  --seed) mode=seed; shift ;;
  ''|*[!0-9]*) ;;
  *) secs=$1; shift ;;
esac
targets=${*:-$ALL}

if ! command -v "$CC" >/dev/null 2>&1; then
  echo "run.sh: $CC not found (apt-get install clang libclang-rt-dev)" >&2
  echo "0 passed, 1 failed"
  exit 1
fi

# build (the fuzz build is separate: clang, -O1, ASan+UBSan, coverage)
if [ ! -f "$B/CMakeCache.txt" ]; then
  cmake --log-level=WARNING -Wno-dev -S . -B "$B" -DCMAKE_C_COMPILER="$CC" -DJX_FUZZ=ON \
    -DJX_TESTS=OFF -DCMAKE_BUILD_TYPE=Debug '-DCMAKE_C_FLAGS_DEBUG=-O1 -g' >&2
fi
# shellcheck disable=SC2086
cmake --build "$B" -j "$(nproc 2>/dev/null || echo 2)" --target $targets >&2 || {
  echo "run.sh: the fuzz build failed" >&2
  echo "0 passed, 1 failed"
  exit 1
}

export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
OPTS="-rss_limit_mb=2560 -timeout=30 -dict=$ROOT/tests/fuzz/jx.dict -print_final_stats=1"
mkdir -p "$B/crashes"
MERGE_OPTS="$OPTS -artifact_prefix=$ROOT/$B/crashes/merge-"

if [ "$mode" = seed ]; then
  # the seeds: every test program; for fuzz_ad, bytes from a fixed PRNG
  S=$B/seeds
  rm -rf "$S"
  mkdir -p "$S/jx" "$S/ad"
  for f in tests/jx/*/*.jx tests/jx/*/*/*.jx examples/*.jx ../shared/conformance/*.jx; do
    [ -f "$f" ] && cp "$f" "$S/jx/$(echo "$f" | tr '/.' '__')"
  done
  python3 - "$S/ad" <<'EOF'
import random, sys, os
r = random.Random(2024)
for i in range(300):
    n = r.choice([8, 16, 32, 64, 96])
    with open(os.path.join(sys.argv[1], "seed%03d" % i), "wb") as f:
        f.write(bytes(r.randrange(256) for _ in range(n)))
EOF
  for t in $targets; do
    src=$S/jx
    [ "$t" = fuzz_ad ] && src=$S/ad
    rm -rf "tests/fuzz/corpus/$t"
    mkdir -p "tests/fuzz/corpus/$t"
    "$B/$t" -merge=1 $MERGE_OPTS "tests/fuzz/corpus/$t" "$src" >"$B/$t.merge.log" 2>&1 ||
      { tail -30 "$B/$t.merge.log"; exit 1; }
    echo "$t: $(ls "tests/fuzz/corpus/$t" | wc -l) corpus files"
  done
  exit 0
fi

if [ "$mode" = merge ]; then
  for t in $targets; do
    mkdir -p "tests/fuzz/corpus/$t" "$B/work/$t"
    "$B/$t" -merge=1 $MERGE_OPTS "tests/fuzz/corpus/$t" "$B/work/$t" >"$B/$t.merge.log" 2>&1 ||
      { tail -30 "$B/$t.merge.log"; exit 1; }
    echo "$t: $(ls "tests/fuzz/corpus/$t" | wc -l) corpus files"
  done
  exit 0
fi

passed=0
failed=0
total=0
mkdir -p "$B/crashes"
for t in $targets; do
  mkdir -p "$B/work/$t"
  log=$B/$t.log
  before=$(ls "$B/crashes" | grep -c "^$t-" || true)
  set +e
  "$B/$t" $OPTS -max_total_time="$secs" -artifact_prefix="$ROOT/$B/crashes/$t-" \
    "$B/work/$t" "tests/fuzz/corpus/$t" >"$log" 2>&1
  rc=$?
  set -e
  runs=$(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' "$log" | tail -1)
  [ -n "$runs" ] || runs=$(sed -n 's/^stat::number_of_executed_units: *\([0-9]*\).*/\1/p' "$log" | tail -1)
  [ -n "$runs" ] || runs=0
  cov=$(grep -ao 'cov: [0-9]*' "$log" | tail -1 || true)
  after=$(ls "$B/crashes" | grep -c "^$t-" || true)
  found=$((after - before))
  total=$((total + runs))
  if [ "$rc" -eq 0 ] && [ "$found" -eq 0 ]; then
    passed=$((passed + 1))
    echo "ok   $t: $runs executions in ${secs}s, $cov, no crash"
  else
    failed=$((failed + 1))
    echo "FAIL $t: $runs executions, exit status $rc, $found new crash file(s) in $B/crashes/"
    grep -aE 'ERROR|SUMMARY|fuzz finding|runtime error|^\s+#[0-9] ' "$log" | head -25
  fi
done
echo "fuzz: $total executions in total"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
