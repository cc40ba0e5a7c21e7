"""Smoke test: benchmarks/bench_ui.py's core runs end to end on a 50-case store with 1 repeat.

No timing is asserted (CI machines are noisy): every row must come out as a number or as a clear
"failed: ..." reason, at the size and for the bare Textual app. The figures are in BENCHMARKS.md.
"""

from __future__ import annotations

import time

from benchmarks import bench_ui


def test_bench_ui_smoke(tmp_path):
    t0 = time.perf_counter()
    got = bench_ui.run([50], tmp_path, repeats=1)
    took = time.perf_counter() - t0
    keys = [key for key, _, _ in bench_ui.ROWS]
    for key in keys:
        value = got["results"][50][key]
        assert isinstance(value, float | int) or (isinstance(value, str) and value.startswith("failed: ")), (key, value)
        bare = got["bare"][key]
        assert bare is None or isinstance(bare, float | int) or bare.startswith("failed: "), (key, bare)
    failures = {k: v for k, v in got["results"][50].items() if isinstance(v, str)}
    assert not failures, failures  # on a healthy checkout every row is measured
    lines, _ = bench_ui.table([50], got["results"], got["bare"])
    assert len(lines) == 2 + len(keys)
    assert took < 120, took  # about 20 s on a quiet machine
