"""The seed's hot query patterns use an index, never a full table scan."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from autoforge.bootstrap import Container

PATTERNS = {
    "active prompts of a project, newest first": (
        "SELECT id, title, created_at FROM prompts WHERE project_id = :u AND status = 'active' "
        "AND deleted_at IS NULL ORDER BY created_at DESC LIMIT 20",
        ("ix_prompts_live_by_project", "ix_prompts_project_status_created"),
    ),
    "latest evaluations of a prompt": (
        "SELECT * FROM evaluations WHERE prompt_id = :u ORDER BY created_at DESC LIMIT 5",
        ("ix_evaluations_prompt_created",),
    ),
    "average score of passed results": (
        "SELECT AVG(score) FROM test_results WHERE evaluation_id = :u AND passed = 1",
        ("ix_test_results_eval_passed_score",),
    ),
    "running evaluations of a prompt": (
        "SELECT id FROM evaluations WHERE prompt_id = :u AND status = 'running'",
        ("ix_evaluations_running", "ix_evaluations_prompt_status_score"),
    ),
}


@pytest.mark.parametrize("pattern", list(PATTERNS))
def test_query_pattern_uses_its_index(any_container: Container, pattern: str) -> None:
    sql, indexes = PATTERNS[pattern]
    with any_container.database.transaction(read_only=True) as uow:
        plan = [
            str(row[-1])
            for row in uow.session.execute(text(f"EXPLAIN QUERY PLAN {sql}"), {"u": "x"})
        ]
    joined = " | ".join(plan)
    assert any(f"INDEX {index}" in joined for index in indexes), joined
    assert not any(step.startswith("SCAN") and "INDEX" not in step for step in plan), joined
    assert "TEMP B-TREE" not in joined, joined  # the order comes from the index, no sort step
