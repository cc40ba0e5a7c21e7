"""Smoke test: the save benchmark script runs end to end on a small store.

No timing is asserted here (CI machines are noisy); the real figures are
recorded in BENCHMARKS.md from a full run of benchmarks/bench_save.py.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent.parent / "benchmarks" / "bench_save.py"


def test_bench_save_smoke(tmp_path):
    proc = subprocess.run(
        [
            sys.executable,
            str(SCRIPT),
            "--cases",
            "200",
            "--repeats",
            "5",
            "--stock-repeats",
            "1",
            "--dir",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=SCRIPT.parent.parent,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert re.search(r"^ratio stock/ophamp\s+\d+x$", proc.stdout, re.MULTILINE), proc.stdout
    assert re.search(r"^(PASS|FAIL): ", proc.stdout, re.MULTILINE), proc.stdout
    assert list(tmp_path.iterdir()) == []  # the work dir is cleaned up
