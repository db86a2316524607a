#!/usr/bin/env bash
# Soak: run the README's test command (`dotnet test` at the root) N times on a clean clone of HEAD while two busy
# loops load both cores, report each run's outcome and wall time, and exit non-zero if any run failed.
#
#   scripts/soak.sh [N]        N defaults to 10
#
# Environment: SOAK_BUSY_LOOPS (default 2, one per core of the CI machine), SOAK_KEEP=1 to keep the clone and logs
# even when every run passed. Only committed work is soaked: HEAD is cloned, the work tree is not.
set -euo pipefail

runs="${1:-10}"
if ! [[ "$runs" =~ ^[1-9][0-9]*$ ]]; then
  echo "usage: scripts/soak.sh [N]   (N: how many runs, a positive integer; default 10)" >&2
  exit 2
fi
busy="${SOAK_BUSY_LOOPS:-2}"
if ! [[ "$busy" =~ ^[0-9]+$ ]]; then
  echo "soak: SOAK_BUSY_LOOPS must be a non-negative integer, not '$busy'" >&2
  exit 2
fi
if ! command -v dotnet >/dev/null 2>&1; then
  echo "soak: the .NET SDK (10.0 or later) is required and was not found on PATH" >&2
  exit 1
fi

root="$(cd "$(dirname "$0")/.." && pwd)"
commit="$(git -C "$root" rev-parse HEAD)"
work="$(mktemp -d "${TMPDIR:-/tmp}/authforge-soak.XXXXXX")"
clone="$work/repo"
loops=()

testpid=""

# Ends a process and everything it started (dotnet test: vstest, the test host, build nodes), children first.
kill_tree() {
  local child
  for child in $(pgrep -P "$1" 2>/dev/null); do
    kill_tree "$child"
  done
  kill "$1" 2>/dev/null || true
}

stop_loops() {
  local pid
  if [ -n "$testpid" ]; then
    # An interrupted soak ends its test run too.
    kill_tree "$testpid"
    wait "$testpid" 2>/dev/null || true
    testpid=""
  fi
  for pid in "${loops[@]:-}"; do
    [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
  done
  for pid in "${loops[@]:-}"; do
    [ -n "$pid" ] && wait "$pid" 2>/dev/null || true
  done
  loops=()
}
trap stop_loops EXIT
trap 'stop_loops; exit 130' INT TERM

echo "soak: cloning $commit into $clone"
git clone --quiet "$root" "$clone"
git -C "$clone" checkout --quiet --detach "$commit"

for ((i = 0; i < busy; i++)); do
  # A busy loop in a subshell of its own, so it can be ended by its pid alone.
  ( while :; do :; done ) &
  loops+=("$!")
done
echo "soak: $busy busy loop(s) running (pids ${loops[*]:-none}); $runs run(s) of 'dotnet test'"

passed=0
summary=()
for ((run = 1; run <= runs; run++)); do
  log="$work/run-$run.log"
  start=$(date +%s.%N)
  (cd "$clone" && exec dotnet test) >"$log" 2>&1 &
  testpid=$!
  set +e
  wait "$testpid"
  status=$?
  set -e
  testpid=""
  wall=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }')
  # One summary line per test project (the unit and the integration tier): the run's counts are their sums.
  counts=$(grep -Eo 'Failed: +[0-9]+, Passed: +[0-9]+, Skipped: +[0-9]+, Total: +[0-9]+' "$log" \
    | awk -F'[:,] *' '{ f += $2; p += $4; s += $6; t += $8 } END { if (NR) printf "Failed: %d, Passed: %d, Skipped: %d, Total: %d", f, p, s, t }' || true)
  if [ "$status" -eq 0 ]; then
    passed=$((passed + 1))
    line="run $run/$runs: PASS in ${wall} s (${counts:-no test summary})"
  else
    failing=$(grep -E '^\s+Failed [A-Za-z]' "$log" | sed -E 's/^\s+Failed //; s/ \[[^]]*\]$//' | sort -u | head -5 | paste -sd ';' - || true)
    line="run $run/$runs: FAIL (exit $status) in ${wall} s (${counts:-no test summary}) ${failing:+- $failing} - log: $log"
  fi
  echo "soak: $line"
  summary+=("$line")
done

stop_loops
echo "soak: $passed of $runs runs passed under $busy busy loop(s), commit $commit"
if [ "$passed" -ne "$runs" ]; then
  echo "soak: logs kept in $work" >&2
  exit 1
fi
if [ "${SOAK_KEEP:-0}" = "1" ]; then
  echo "soak: logs kept in $work"
else
  rm -rf "$work"
fi
