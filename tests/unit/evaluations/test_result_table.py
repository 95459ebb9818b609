"""The per-case table `autoforge eval results` prints: which cases are flagged unsupported."""

from __future__ import annotations

from autoforge.cli.common import console
from autoforge.cli.evaluation_tables import print_results
from autoforge.evaluations.schemas import TestResult as ResultSchema


def result(name: str, unsupported: bool | None) -> ResultSchema:
    return ResultSchema(
        test_case_name=name,
        input={},
        output="answer",
        expected="answer",
        score=1.0,
        passed=True,
        latency_ms=1.0,
        tokens=2,
        cost_usd=0.0,
        cache_hit=False,
        reason="ok",
        error=None,
        unsupported=unsupported,
    )


def test_the_table_shows_the_unsupported_flag_of_each_case() -> None:
    with console.capture() as captured:
        print_results([result("flagged", True), result("clean", False), result("old", None)])

    header, *rows = captured.get().splitlines()
    assert header.split()[:4] == ["case", "score", "passed", "unsupported"]
    assert {row.split()[0]: row.split()[3] for row in rows} == {
        "flagged": "yes",
        "clean": "no",
        "old": "-",  # recorded before flags were stored
    }
