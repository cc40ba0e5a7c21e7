"""Smoke test: benchmarks/bench_pg.py's measuring functions run on 30 cases, 1 round, on the test server.

No timing is asserted (CI machines are noisy): every row comes out as a number for both backends, and
the table prints. The figures at 100,000 cases are in BENCHMARKS.md.
"""

from __future__ import annotations

import time

from psycopg.conninfo import conninfo_to_dict

from benchmarks import bench_pg


def test_bench_pg_smoke(pg_dsn, tmp_path):
    t0 = time.perf_counter()
    uri = bench_pg.database_uri(pg_dsn, conninfo_to_dict(pg_dsn)["dbname"])
    assert uri.startswith("postgresql://")
    assert bench_pg.seed(uri, 30) > 0
    tiny, seconds = bench_pg.seeded_tinydb(tmp_path, 30)
    assert seconds is not None and (tiny / ".seeded").exists()
    assert bench_pg.seeded_tinydb(tmp_path, 30) == (tiny, None)  # reused, not seeded again

    results, info = bench_pg.measure_size(
        {"TinyDB": str(tiny), "PostgreSQL": uri}, 30, tmp_path / "work", repeats=1, save_count=2
    )
    took = time.perf_counter() - t0
    for backend in bench_pg.BACKENDS:
        for key, _, _ in bench_pg.ROWS:
            if key != "seed":  # set by run_size
                value = results[backend][key]
                assert isinstance(value, float | int) and value > 0, (backend, key, value)
        assert results[backend]["saves timed"] == 2
        assert info[f"due items {backend}"] == info[f"due items {backend} (command)"]  # the same list
    assert info["cases naming it"] >= 1 and info["number"]
    lines = bench_pg.table(results)
    assert len(lines) == 2 + len(bench_pg.ROWS)
    assert "PostgreSQL/TinyDB" in lines[0]
    assert took < 60, took  # about 20 s on a quiet machine
