"""Slow statements: shapes without values, the JSONL file bounded, the worst shapes first,
and the hooks on a real engine."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import text

from autoforge.bootstrap import bootstrap
from autoforge.config import Settings
from autoforge.observability.database import classify
from autoforge.observability.slow_queries import (
    FILE_NAME,
    SlowQueryLog,
    entries,
    rotated,
    shape_of,
    worst_shapes,
)


def test_a_shape_keeps_the_statement_and_drops_every_value() -> None:
    one = shape_of("SELECT * FROM prompts WHERE name = 'alpha' AND version = 3 LIMIT 50")
    other = shape_of("select * from prompts where name = 'it''s'  AND version = 12 LIMIT 7")

    assert one == "SELECT * FROM prompts WHERE name = ? AND version = ? LIMIT ?"
    assert other.lower() == one.lower()
    assert shape_of("SELECT id FROM t WHERE id IN (?, ?, ?, ?)") == shape_of(
        "SELECT id FROM t WHERE id IN (:a, :b)"
    )
    assert shape_of("INSERT INTO t (a, b) VALUES (?, ?), (?, ?), (?, ?)") == (
        "INSERT INTO t (a, b) VALUES (?...), ..."
    )
    # Digits inside names are part of the name, not a value.
    assert "prompts_v2" in shape_of("SELECT a FROM prompts_v2")


def test_statements_are_classified_by_operation_and_table() -> None:
    assert classify("SELECT prompts.id FROM prompts JOIN tags ON 1") == ("select", "prompts")
    assert classify("INSERT INTO llm_calls (id) VALUES (?)") == ("insert", "llm_calls")
    assert classify('UPDATE "jobs" SET status=?') == ("update", "jobs")
    assert classify("BEGIN IMMEDIATE") == ("begin", "none")
    assert classify("EXPLAIN QUERY PLAN SELECT 1") == ("other", "none")


def test_the_file_is_rotated_so_at_most_twice_the_bound_is_kept(tmp_path: Path) -> None:
    path = tmp_path / FILE_NAME
    kept = SlowQueryLog(path, max_bytes=4096)
    for number in range(200):
        kept.append({"shape": f"SELECT {number}", "duration_ms": 150.0, "table": "t"})

    assert path.stat().st_size <= 4096
    assert rotated(path).stat().st_size <= 4096
    shapes = [entry["shape"] for entry in entries(path)]
    assert shapes[-1] == "SELECT 199"  # the newest is kept, the oldest went
    assert "SELECT 0" not in shapes


def test_the_worst_shapes_are_those_costing_most_time_in_all(tmp_path: Path) -> None:
    path = tmp_path / FILE_NAME
    kept = SlowQueryLog(path, max_bytes=1 << 20)
    for _ in range(5):
        kept.append({"shape": "SELECT a", "duration_ms": 120.0, "table": "a", "caller": "x.py:1 f"})
    kept.append({"shape": "SELECT b", "duration_ms": 400.0, "table": "b", "caller": None})
    with path.open("a") as out:
        out.write("not json\n")

    worst = worst_shapes(path, limit=5)

    assert [r.shape for r in worst] == ["SELECT a", "SELECT b"]
    assert (worst[0].count, worst[0].total_ms, worst[0].max_ms) == (5, 600.0, 120.0)
    assert worst[0].top_caller == "x.py:1 f"
    assert worst[1].as_json()["mean_ms"] == 400.0


def test_a_real_engine_keeps_its_slow_statements_with_their_caller(tmp_path: Path) -> None:
    settings = Settings(
        autoforge_data_dir=tmp_path,
        slow_query_ms=0,
        _env_file=None,  # type: ignore[call-arg]
    )
    container = bootstrap(settings)
    try:
        with container.database.engine.connect() as conn:
            conn.execute(text("SELECT 'secret-value' AS v, 42 AS n")).all()
    finally:
        container.close()

    [entry] = [e for e in entries(tmp_path / FILE_NAME) if "AS v" in e["shape"]]
    assert entry["shape"] == "SELECT ? AS v, ? AS n"
    assert "secret-value" not in json.dumps(entry)
    assert entry["operation"] == "select"
    assert entry["duration_ms"] >= 0
    # The first frame inside autoforge outside the database layer: none here (a test).
    assert entry["caller"] is None
