"""Invalidations collected by a unit of work run after its commit, and only then."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import pytest

from autoforge.bootstrap import Container


@pytest.fixture
def invalidated(file_container: Container) -> Iterator[list[list[str]]]:
    calls: list[list[str]] = []
    database = file_container.database
    wired = database.invalidate

    def record(namespaces: Sequence[str]) -> None:
        calls.append(list(namespaces))

    database.invalidate = record
    yield calls
    database.invalidate = wired


def test_a_commit_invalidates_what_its_transaction_collected(
    file_container: Container, invalidated: list[list[str]]
) -> None:
    with file_container.database.transaction() as uow:
        uow.invalidate("prompts:p1")
        uow.invalidate("templates:p1")
        assert invalidated == []  # not before the commit
    assert invalidated == [["prompts:p1", "templates:p1"]]


def test_a_rolled_back_transaction_invalidates_nothing(
    file_container: Container, invalidated: list[list[str]]
) -> None:
    with pytest.raises(RuntimeError), file_container.database.transaction() as uow:
        uow.invalidate("prompts:p1")
        raise RuntimeError("the write failed")
    assert invalidated == []


def test_a_savepoint_that_rolls_back_takes_its_invalidations_with_it(
    file_container: Container, invalidated: list[list[str]]
) -> None:
    with file_container.database.transaction() as uow:
        uow.invalidate("prompts:p1")
        with pytest.raises(RuntimeError), uow.savepoint():
            uow.invalidate("prompts:p2")
            raise RuntimeError("this part failed")
    assert invalidated == [["prompts:p1"]]
