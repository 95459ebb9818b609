"""Prompt services on a real database: each test runs on a local libSQL file and on sqld."""

from __future__ import annotations

import threading
import tracemalloc
from collections.abc import Callable
from typing import Any, TypeVar

import orjson
import pytest
from sqlalchemy import func, select

from autoforge.audit.models import AuditEntryRow
from autoforge.bootstrap import Container
from autoforge.db.tenancy import Scope
from autoforge.db.unit_of_work import UnitOfWork
from autoforge.errors import ConflictError, NotFoundError, ValidationFailed
from autoforge.events.models import StoredEventRow
from autoforge.prompts import service, versions
from autoforge.prompts.bulk_import import import_prompts
from autoforge.prompts.domain import ListFilters
from autoforge.prompts.export import export_prompts
from autoforge.prompts.models import PromptLabelRow, PromptRow, PromptTagRow, PromptVersionRow
from autoforge.prompts.schemas import Prompt, PromptCreate, PromptUpdate, Rollback
from autoforge.templates.schemas import ParameterSpec, TemplateCreate
from autoforge.templates.service import create_template, get_template
from tests.support.statements import recorded_statements

OWNER = "alice"
T = TypeVar("T")


def write(container: Container, work: Callable[[UnitOfWork], T], owner: str = OWNER) -> T:
    """In the owner's project, as a request would be: every statement scoped to it."""
    with container.database.transaction(scope=Scope(owner, owner)) as uow:
        return work(uow)


def read(container: Container, work: Callable[[UnitOfWork], T], owner: str = OWNER) -> T:
    with container.database.transaction(read_only=True, scope=Scope(owner, owner)) as uow:
        return work(uow)


def create(container: Container, name: str, owner: str = OWNER, **fields: Any) -> Prompt:
    data = PromptCreate(name=name, title=fields.pop("title", name), content="v1 text", **fields)
    return write(container, lambda uow: service.create_prompt(uow, owner, data), owner)


def edit(container: Container, prompt_id: str, base: int, **fields: Any) -> Prompt:
    data = PromptUpdate(base_version=base, **fields)
    return write(container, lambda uow: service.update_prompt(uow, OWNER, prompt_id, data))


def audit_actions(container: Container, entity_id: str) -> list[str]:
    query = (
        select(AuditEntryRow.action)
        .where(AuditEntryRow.entity_id == entity_id)
        .order_by(AuditEntryRow.occurred_at)
    )
    return read(container, lambda uow: list(uow.session.scalars(query)))


def count(container: Container, model: Any, *where: Any) -> int:
    query = select(func.count()).select_from(model).where(*where)
    return read(container, lambda uow: uow.session.scalar(query) or 0)


def test_create_writes_version_tags_audit_and_event(any_container: Container) -> None:
    prompt = create(any_container, "greet", tags=["Hello", "demo"])
    assert (prompt.version, prompt.tags, prompt.status) == (1, ["demo", "hello"], "draft")
    page = read(any_container, lambda uow: versions.list_versions(uow, OWNER, prompt.id))
    assert [(v.version, v.content) for v in page.items] == [(1, "v1 text")]
    assert audit_actions(any_container, prompt.id) == ["create"]
    events = read(
        any_container,
        lambda uow: uow.session.execute(
            select(StoredEventRow.stream_id, StoredEventRow.event_type)
        ).all(),
    )
    assert (f"prompt-{prompt.id}", "PromptCreated") in events


def test_content_edits_make_versions_tag_edits_do_not(any_container: Container) -> None:
    prompt = create(any_container, "greet")
    edited = edit(any_container, prompt.id, 1, content="v2 text", change_note="clearer")
    retagged = edit(any_container, prompt.id, 2, tags=["new"])
    assert (edited.version, retagged.version, retagged.tags) == (2, 2, ["new"])
    page = read(any_container, lambda uow: versions.list_versions(uow, OWNER, prompt.id))
    assert [(v.version, v.change_note) for v in page.items] == [(2, "clearer"), (1, None)]
    assert audit_actions(any_container, prompt.id) == ["create", "update", "update"]


def test_stale_update_is_refused_and_nothing_is_lost(any_container: Container) -> None:
    prompt = create(any_container, "greet")
    edit(any_container, prompt.id, 1, content="first writer")
    with pytest.raises(ConflictError) as caught:
        edit(any_container, prompt.id, 1, content="second writer")
    assert caught.value.extra["current_version"] == 2
    current = read(any_container, lambda uow: service.get_prompt(uow, OWNER, prompt.id))
    assert (current.version, current.content) == (2, "first writer")
    assert count(any_container, PromptVersionRow, PromptVersionRow.prompt_id == prompt.id) == 2


def test_update_without_base_version_is_refused(any_container: Container) -> None:
    prompt = create(any_container, "greet")
    with pytest.raises(ValidationFailed) as caught:
        write(
            any_container,
            lambda uow: service.update_prompt(uow, OWNER, prompt.id, PromptUpdate(title="x")),
        )
    assert caught.value.errors[0]["field"] == "base_version"


def test_concurrent_edits_of_one_version_let_exactly_one_win(any_container: Container) -> None:
    """Two threads edit version 1 at once: one wins, the other gets a conflict, none is lost."""
    prompt = create(any_container, "greet")
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def writer(text: str) -> None:
        barrier.wait()
        try:
            edit(any_container, prompt.id, 1, content=text)
            outcomes.append("ok")
        except ConflictError:
            outcomes.append("conflict")

    threads = [threading.Thread(target=writer, args=(t,)) for t in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(outcomes) == ["conflict", "ok"]
    current = read(any_container, lambda uow: service.get_prompt(uow, OWNER, prompt.id))
    assert (current.version, current.content in {"a", "b"}) == (2, True)


def test_a_failed_transaction_leaves_no_prompt_audit_or_event(any_container: Container) -> None:
    data = PromptCreate(name="doomed", title="Doomed", content="x")

    def create_then_fail(uow: UnitOfWork) -> None:
        service.create_prompt(uow, OWNER, data)
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        write(any_container, create_then_fail)
    assert count(any_container, PromptRow) == 0
    assert count(any_container, AuditEntryRow) == 0
    assert count(any_container, StoredEventRow) == 0


def test_status_lifecycle_and_invalid_transitions(any_container: Container) -> None:
    prompt = create(any_container, "greet")

    def move(status: str) -> Prompt:
        return write(
            any_container, lambda uow: service.change_status(uow, OWNER, prompt.id, status)
        )

    assert move("active").status == "active"
    with pytest.raises(ConflictError):
        move("draft")
    assert move("archived").status == "archived"
    assert move("archived").status == "archived"  # no-op, no audit entry
    assert move("active").status == "active"
    assert audit_actions(any_container, prompt.id) == ["create", "status", "status", "status"]


def test_rollback_makes_a_new_version_with_the_old_text(any_container: Container) -> None:
    prompt = create(any_container, "greet", title="Old title")
    edit(any_container, prompt.id, 1, title="New title", content="v2 text")

    def roll(version: int) -> Prompt:
        return write(
            any_container,
            lambda uow: versions.rollback(uow, OWNER, prompt.id, Rollback(version=version)),
        )

    rolled = roll(1)
    assert (rolled.version, rolled.title, rolled.content) == (3, "Old title", "v1 text")
    assert roll(3).version == 3  # already that text: no new version
    v3 = read(any_container, lambda uow: versions.get_version(uow, OWNER, prompt.id, 3))
    assert v3.change_note == "rollback to version 1"
    with pytest.raises(NotFoundError):
        roll(9)


def test_diff_between_two_versions(any_container: Container) -> None:
    prompt = create(any_container, "greet")
    edit(any_container, prompt.id, 1, content="v1 text\nmore")
    diff = read(any_container, lambda uow: versions.diff_versions(uow, OWNER, prompt.id, 1, 2))
    assert diff.diff.splitlines() == [
        "--- v1",
        "+++ v2",
        "@@ -1 +1,2 @@",
        "-v1 text",
        "+v1 text",
        "+more",
    ]
    with pytest.raises(NotFoundError, match="no version 7"):
        read(any_container, lambda uow: versions.diff_versions(uow, OWNER, prompt.id, 1, 7))


def test_labels_pick_the_version_applications_fetch(any_container: Container) -> None:
    prompt = create(any_container, "greet")
    edit(any_container, prompt.id, 1, content="v2 text")
    write(any_container, lambda uow: versions.set_label(uow, OWNER, prompt.id, "production", 1))
    edit(any_container, prompt.id, 2, content="v3 text")

    def fetch(label: str | None) -> tuple[int, str]:
        found = read(
            any_container, lambda uow: versions.resolve_by_name(uow, OWNER, "greet", label=label)
        )
        return found.version, found.content

    assert fetch("production") == (1, "v1 text")
    assert fetch(None) == (3, "v3 text")
    write(any_container, lambda uow: versions.set_label(uow, OWNER, prompt.id, "production", 3))
    assert fetch("production") == (3, "v3 text")
    with pytest.raises(ValidationFailed):
        write(any_container, lambda uow: versions.set_label(uow, OWNER, prompt.id, "staging", 4))
    write(any_container, lambda uow: versions.remove_label(uow, OWNER, prompt.id, "production"))
    with pytest.raises(NotFoundError, match="no label"):
        fetch("production")
    with pytest.raises(NotFoundError):
        read(any_container, lambda uow: versions.resolve_by_name(uow, "bob", "greet"), "bob")


def test_soft_delete_restore_and_hard_delete(any_container: Container) -> None:
    prompt = create(any_container, "greet", tags=["a"])
    write(any_container, lambda uow: versions.set_label(uow, OWNER, prompt.id, "production", 1))
    write(any_container, lambda uow: service.delete_prompt(uow, OWNER, prompt.id))
    with pytest.raises(NotFoundError, match="deleted"):
        read(any_container, lambda uow: service.get_prompt(uow, OWNER, prompt.id))
    with pytest.raises(ConflictError, match="already exists"):
        create(any_container, "greet")
    restored = write(any_container, lambda uow: service.restore_prompt(uow, OWNER, prompt.id))
    assert restored.deleted_at is None
    with pytest.raises(ConflictError, match="not deleted"):
        write(any_container, lambda uow: service.restore_prompt(uow, OWNER, prompt.id))
    write(any_container, lambda uow: service.delete_prompt(uow, OWNER, prompt.id, hard=True))
    for model in (PromptRow, PromptVersionRow, PromptTagRow, PromptLabelRow):
        assert count(any_container, model) == 0, model
    assert audit_actions(any_container, prompt.id)[-3:] == ["delete", "restore", "hard_delete"]


def test_owners_never_see_each_others_prompts(any_container: Container) -> None:
    prompt = create(any_container, "greet")
    create(any_container, "greet", owner="bob")
    with pytest.raises(NotFoundError):
        read(any_container, lambda uow: service.get_prompt(uow, "bob", prompt.id), "bob")
    page = read(any_container, lambda uow: service.list_prompts(uow, "bob", ListFilters()), "bob")
    assert [p.id for p in page.items] != [prompt.id]
    assert len(page.items) == 1


def _names(container: Container, filters: ListFilters) -> list[str]:
    page = read(container, lambda uow: service.list_prompts(uow, OWNER, filters))
    return [p.name for p in page.items]


def test_list_filters(any_container: Container) -> None:
    create(any_container, "discount", title="100% off", tags=["sales"])
    second = create(any_container, "refund", title="Refunds", tags=["support", "sales"])
    create(any_container, "draft-only", title="1000 off")
    gone = create(any_container, "gone", tags=["sales"])
    write(any_container, lambda uow: service.change_status(uow, OWNER, second.id, "active"))
    write(any_container, lambda uow: versions.set_label(uow, OWNER, second.id, "production", 1))
    write(any_container, lambda uow: service.delete_prompt(uow, OWNER, gone.id))
    assert _names(any_container, ListFilters()) == ["draft-only", "refund", "discount"]
    assert _names(any_container, ListFilters(tag="sales")) == ["refund", "discount"]
    assert _names(any_container, ListFilters(status="active")) == ["refund"]
    assert _names(any_container, ListFilters(label="production")) == ["refund"]
    assert _names(any_container, ListFilters(text="100%")) == ["discount"]  # % is literal
    assert _names(any_container, ListFilters(text="REFUND")) == ["refund"]
    everything = _names(any_container, ListFilters(tag="sales", include_deleted=True))
    assert everything == ["gone", "refund", "discount"]


def test_cursor_pagination_is_stable_under_inserts(any_container: Container) -> None:
    originals = [create(any_container, f"p{i:02}").name for i in range(12)]

    def page(cursor: str | None) -> tuple[list[str], str | None]:
        result = read(
            any_container,
            lambda uow: service.list_prompts(uow, OWNER, ListFilters(), cursor=cursor, limit=5),
        )
        return [p.name for p in result.items], result.next_cursor

    seen, cursor = page(None)
    for i in range(3):  # newer prompts arrive while a client pages through older ones
        create(any_container, f"late{i}")
    while cursor:
        names, cursor = page(cursor)
        seen += names
    assert seen == list(reversed(originals))


def test_each_list_page_is_one_sql_statement(any_container: Container) -> None:
    for i in range(12):
        prompt = create(any_container, f"p{i:02}", tags=["a", f"t{i}"])
        write(
            any_container, lambda uow, pid=prompt.id: versions.set_label(uow, OWNER, pid, "prod", 1)
        )
    cursor: str | None = None
    pages = 0
    while True:
        with (
            any_container.database.transaction(read_only=True) as uow,
            recorded_statements(any_container.database.engine, this_thread_only=True) as sql,
        ):
            result = service.list_prompts(uow, OWNER, ListFilters(), cursor=cursor, limit=5)
        assert len(sql) == 1, sql
        assert all(p.tags and p.labels == {"prod": 1} for p in result.items)
        pages += 1
        cursor = result.next_cursor
        if cursor is None:
            break
    assert pages == 3


def test_import_is_all_or_nothing(any_container: Container) -> None:
    create(any_container, "kept")
    records: list[dict[str, Any]] = [
        {"name": "kept", "title": "Changed", "content": "changed"},
        {"name": "fresh", "title": "Fresh", "content": "x"},
        {"name": "bad name", "title": "Bad", "content": "x"},
        {"name": "no-content", "title": "x"},
        {"name": "fresh", "title": "Again", "content": "y"},
    ]
    with pytest.raises(ValidationFailed) as caught:
        write(any_container, lambda uow: import_prompts(uow, OWNER, records))
    assert [e["field"] for e in caught.value.errors] == ["line 3", "line 4", "line 5"]
    assert "already appears on line 2" in caught.value.errors[2]["message"]
    assert _names(any_container, ListFilters()) == ["kept"]
    assert count(any_container, AuditEntryRow, AuditEntryRow.action == "import") == 0


def test_import_upserts_by_name(any_container: Container) -> None:
    kept = create(any_container, "kept", tags=["old"])
    same = create(any_container, "same")
    records: list[dict[str, Any]] = [
        {"name": "kept", "title": "kept", "content": "new text", "tags": ["new"]},
        {"name": "same", "title": "same", "content": "v1 text"},
        {"name": "fresh", "title": "Fresh", "content": "x", "status": "active", "id": "ignored"},
    ]
    report = write(any_container, lambda uow: import_prompts(uow, OWNER, records))
    assert (report.created, report.updated, report.unchanged) == (1, 1, 1)
    updated = read(any_container, lambda uow: service.get_prompt(uow, OWNER, kept.id))
    assert (updated.version, updated.content, updated.tags) == (2, "new text", ["new"])
    assert read(any_container, lambda uow: service.get_prompt(uow, OWNER, same.id)).version == 1
    fresh = read(any_container, lambda uow: versions.resolve_by_name(uow, OWNER, "fresh"))
    assert (fresh.status, fresh.version) == ("active", 1)
    entries = read(
        any_container,
        lambda uow: uow.session.scalars(
            select(AuditEntryRow).where(AuditEntryRow.action == "import")
        ).all(),
    )
    assert len(entries) == 1
    assert entries[0].details["updated"] == [kept.id]
    assert entries[0].details["created"] == [fresh.prompt_id]


def test_import_refuses_deleted_names_and_bad_transitions(any_container: Container) -> None:
    gone = create(any_container, "gone")
    live = create(any_container, "live")
    write(any_container, lambda uow: service.delete_prompt(uow, OWNER, gone.id))
    write(any_container, lambda uow: service.change_status(uow, OWNER, live.id, "active"))
    records = [
        {"name": "gone", "title": "t", "content": "c"},
        {"name": "live", "title": "t", "content": "c", "status": "draft"},
    ]
    with pytest.raises(ValidationFailed) as caught:
        write(any_container, lambda uow: import_prompts(uow, OWNER, records))
    messages = [e["message"] for e in caught.value.errors]
    assert "deleted prompt holds the name" in messages[0]
    assert "from active to draft" in messages[1]


def test_prompt_from_template_renders_and_counts_use(any_container: Container) -> None:
    template = write(
        any_container,
        lambda uow: create_template(
            uow,
            OWNER,
            TemplateCreate(
                name="hello", content="Hi {{who}}", parameters=[ParameterSpec(name="who")]
            ),
        ),
    )
    data = PromptCreate(
        name="hi-ada", title="Hi", template_id=template.id, variables={"who": "Ada"}
    )
    prompt = write(any_container, lambda uow: service.create_prompt(uow, OWNER, data))
    assert (prompt.content, prompt.template_id) == ("Hi Ada", template.id)
    assert read(any_container, lambda uow: get_template(uow, OWNER, template.id)).usage_count == 1
    missing = PromptCreate(name="x", title="x", template_id="nope")
    with pytest.raises(ValidationFailed) as caught:
        write(any_container, lambda uow: service.create_prompt(uow, OWNER, missing))
    assert caught.value.errors[0]["field"] == "template_id"


def _bulk(count_: int, prefix: str) -> list[dict[str, Any]]:
    return [
        {"name": f"{prefix}{i}", "title": f"Prompt {i}", "content": f"Answer question {i}. " * 10}
        for i in range(count_)
    ]


def test_import_of_ten_thousand_prompts_stores_every_one(file_container: Container) -> None:
    """Correctness of the bulk path at size; its speed is measured in bench/prompts.py."""
    records = _bulk(10_000, "p")
    report = write(file_container, lambda uow: import_prompts(uow, OWNER, records))
    assert (report.created, report.updated) == (10_000, 0)
    assert count(file_container, PromptRow) == 10_000
    assert count(file_container, PromptVersionRow) == 10_000


def test_export_of_fifty_thousand_prompts_runs_at_flat_memory(file_container: Container) -> None:
    for batch in range(5):
        records = _bulk(10_000, f"b{batch}-")
        write(file_container, lambda uow, r=records: import_prompts(uow, OWNER, r))
    total = lines = 0
    first = b""
    early_peak = 0
    tracemalloc.start()
    try:
        for chunk in export_prompts(file_container.database, OWNER, ListFilters()):
            total += len(chunk)
            lines += chunk.count(b"\n")
            first = first or chunk.split(b"\n", 1)[0]
            if lines == 5_000:  # after five batches of the fifty
                early_peak = tracemalloc.get_traced_memory()[1]
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert lines == 50_000
    assert orjson.loads(first)["name"] == "b0-0"  # oldest first
    assert total > 15_000_000
    assert peak < total / 5, f"peak {peak} bytes for an export of {total} bytes"
    assert peak < early_peak * 1.5, f"memory grew from {early_peak} to {peak} bytes"


def test_a_listed_prompt_serializes_exactly_as_the_validated_one(any_container: Container) -> None:
    """The listing builds its schema from rows without validating them again (a profiled
    cost): the bytes it sends must be the very bytes of the validated prompt."""
    first = create(any_container, "listed", tags=["b", "a"], metadata={"team": "x", "n": 2})
    versions_set = write(
        any_container, lambda uow: versions.set_label(uow, OWNER, first.id, "production", 1)
    )
    assert versions_set is not None
    deleted = create(any_container, "gone")
    write(any_container, lambda uow: service.delete_prompt(uow, OWNER, deleted.id))

    page = read(
        any_container,
        lambda uow: service.list_prompts(uow, OWNER, ListFilters(include_deleted=True)),
    )
    validated = [
        read(
            any_container,
            lambda uow, i=p.id: service.get_prompt(uow, OWNER, i, include_deleted=True),
        )
        for p in page.items
    ]

    assert [p.name for p in page.items] == ["gone", "listed"]
    assert page.items[1].labels == {"production": 1}
    assert page.items[1].tags == ["a", "b"]
    for listed, checked in zip(page.items, validated, strict=True):
        assert listed.model_dump_json() == checked.model_dump_json()
        assert Prompt.model_validate_json(listed.model_dump_json()) == checked
