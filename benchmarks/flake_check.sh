#!/usr/bin/env bash
# Flake check: the UI tests N times in a row (default 20), each run in a new random order
# (pytest-randomly picks a fresh seed every run). Stops at the first failing run and prints its seed.
# Usage: bash benchmarks/flake_check.sh [RUNS]
set -u
cd "$(dirname "$0")/.."
runs=${1:-20}
py=${PYTHON:-.venv/bin/python}
ui_tests="tests/test_walk.py tests/test_screens.py tests/test_hostile.py tests/test_after_first_hour.py
  tests/test_queue_screens.py tests/test_history_screen.py tests/test_training.py tests/test_sizes.py
  tests/test_reliability_ui.py tests/test_snapshots.py tests/test_snapshots_queues.py tests/test_snapshots_history.py"
start=$SECONDS
for i in $(seq 1 "$runs"); do
  out=$($py -m pytest -p randomly $ui_tests 2>&1)
  rc=$?
  seed=$(printf '%s\n' "$out" | grep -o 'randomly-seed=[0-9]*' | head -1)
  summary=$(printf '%s\n' "$out" | tail -1)
  echo "run $i/$runs ($seed): $summary"
  if [ $rc -ne 0 ]; then
    printf "%s\n" "$out" | grep -E "^(FAILED|ERROR|E  )" | head -30
    echo "FLAKE CHECK FAILED at run $i after $((SECONDS - start)) s"
    exit 1
  fi
done
echo "FLAKE CHECK PASSED: $runs runs in a row, random order, $((SECONDS - start)) s"
