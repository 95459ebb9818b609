"""Dataset services on a real database: each test runs on a local libSQL file and on sqld."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import pytest
from sqlalchemy import func, select

from autoforge.audit.models import AuditEntryRow
from autoforge.bootstrap import Container
from autoforge.datasets import bulk_import, examples, service
from autoforge.datasets.models import DatasetItemRow, DatasetRow, DatasetVersionRow
from autoforge.datasets.schemas import (
    Dataset,
    DatasetCreate,
    DatasetItem,
    DatasetItemIn,
    DatasetVersionCreate,
    DatasetVersionInfo,
)
from autoforge.db.tenancy import Scope
from autoforge.db.unit_of_work import UnitOfWork
from autoforge.errors import ConflictError, NotFoundError, ValidationFailed
from autoforge.evaluations.models import EvaluationRow
from autoforge.events.models import StoredEventRow
from autoforge.prompts import versions
from autoforge.prompts.models import PromptRow
from autoforge.prompts.schemas import PromptCreate
from autoforge.prompts.service import create_prompt
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


def item(text: str, name: str | None = None, **fields: Any) -> DatasetItemIn:
    return DatasetItemIn(name=name, input={"text": text}, **fields)


def create(
    container: Container, name: str, items: list[DatasetItemIn] | None, owner: str = OWNER
) -> Dataset:
    data = DatasetCreate(name=name, description=f"{name} cases", items=items)
    return write(container, lambda uow: service.create_dataset(uow, owner, data), owner)


def new_version(container: Container, dataset_id: str, **fields: Any) -> DatasetVersionInfo:
    data = DatasetVersionCreate(**fields)
    return write(container, lambda uow: service.create_version(uow, OWNER, dataset_id, data))


def items_of(
    container: Container, dataset_id: str, version: int | None = None
) -> tuple[DatasetVersionInfo, list[DatasetItem]]:
    return read(container, lambda uow: service.version_items(uow, OWNER, dataset_id, version))


def import_text(
    container: Container, dataset_id: str, text: str, fmt: bulk_import.Format, **options: Any
) -> DatasetVersionInfo:
    return write(
        container,
        lambda uow: bulk_import.import_items(uow, OWNER, dataset_id, text, fmt, **options),
    )


def count(container: Container, model: Any, *where: Any) -> int:
    """Across every project: what is stored, not what one owner sees."""
    query = select(func.count()).select_from(model).where(*where)
    with container.database.transaction(read_only=True) as uow:
        return uow.session.scalar(query) or 0


def test_create_with_items_makes_version_1_with_audit_and_events(
    any_container: Container,
) -> None:
    dataset = create(
        any_container,
        "sentiment",
        [
            item("I love it", "love", expected="positive", metadata={"difficulty": "easy"}),
            item("Not bad at all", expected="positive"),
        ],
    )
    assert (dataset.latest_version, dataset.description) == (1, "sentiment cases")
    assert dataset.latest is not None
    assert dataset.latest.item_count == 2
    info, items = items_of(any_container, dataset.id)
    assert info.id == dataset.latest.id
    assert [(i.position, i.name, i.input, i.expected) for i in items] == [
        (0, "love", {"text": "I love it"}, "positive"),
        (1, "case-0002", {"text": "Not bad at all"}, "positive"),
    ]
    assert items[0].metadata.difficulty == "easy"

    stored = read(
        any_container,
        lambda uow: uow.session.execute(
            select(StoredEventRow.stream_id, StoredEventRow.event_type)
        ).all(),
    )
    assert (f"dataset-{dataset.id}", "DatasetCreated") in stored
    assert (f"dataset-{dataset.id}", "DatasetVersionCreated") in stored
    audit = read(
        any_container,
        lambda uow: uow.session.execute(
            select(AuditEntryRow.entity_type, AuditEntryRow.action, AuditEntryRow.entity_id)
        ).all(),
    )
    assert ("dataset", "create", dataset.id) in audit
    assert ("dataset_version", "create", info.id) in audit


def test_create_without_items_has_no_version_yet(any_container: Container) -> None:
    dataset = create(any_container, "empty", None)
    assert (dataset.latest_version, dataset.latest) == (0, None)
    with pytest.raises(NotFoundError, match="has no version yet"):
        items_of(any_container, dataset.id)


def test_append_makes_version_2_and_leaves_version_1_intact(any_container: Container) -> None:
    dataset = create(any_container, "s", [item("one", "a"), item("two")])
    before = items_of(any_container, dataset.id, 1)

    appended = new_version(
        any_container, dataset.id, mode="append", items=[item("three")], note="more"
    )

    assert (appended.version, appended.item_count, appended.note) == (2, 3, "more")
    info, items = items_of(any_container, dataset.id)
    assert info.version == 2
    assert [(i.position, i.name, i.input["text"]) for i in items] == [
        (0, "a", "one"),
        (1, "case-0002", "two"),
        (2, "case-0003", "three"),
    ]
    assert items_of(any_container, dataset.id, 1) == before
    assert count(any_container, DatasetItemRow) == 5  # 2 in v1, 3 in v2: copies, not moves


def test_replace_makes_a_version_with_only_the_new_items(any_container: Container) -> None:
    dataset = create(any_container, "s", [item("one"), item("two")])
    replaced = new_version(any_container, dataset.id, items=[item("solo", "only")])
    assert (replaced.version, replaced.item_count) == (2, 1)
    assert [i.name for i in items_of(any_container, dataset.id)[1]] == ["only"]
    assert items_of(any_container, dataset.id, 1)[0].item_count == 2


def test_duplicate_item_names_are_rejected_and_nothing_is_written(
    any_container: Container,
) -> None:
    with pytest.raises(ValidationFailed) as within:
        create(any_container, "dup", [item("x", "same"), item("y"), item("z", "same")])
    assert within.value.errors == [
        {"field": "items.2", "message": "name 'same' already used by items.0"}
    ]
    assert count(any_container, DatasetRow) == 0  # the dataset row went with the rollback

    dataset = create(any_container, "s", [item("x", "kept")])
    with pytest.raises(ValidationFailed) as appended:
        new_version(any_container, dataset.id, mode="append", items=[item("y", "kept")])
    assert appended.value.errors[0]["message"] == "name 'kept' is already in the dataset"
    assert count(any_container, DatasetVersionRow) == 1


def test_auto_names_skip_names_given_explicitly(any_container: Container) -> None:
    dataset = create(any_container, "s", [item("a"), item("b", "case-0001")])
    assert [i.name for i in items_of(any_container, dataset.id)[1]] == ["case-0002", "case-0001"]


JSONL = (
    '{"name": "neg", "input": {"text": "It broke."}, "expected": "negative", '
    '"metadata": {"category": "product", "difficulty": "easy", "features_tested": ["x"]}}\n'
    "\n"
    '{"input": {"text": "Fine.", "lang": "en"}}\n'
)


def test_import_jsonl_creates_a_version(any_container: Container) -> None:
    dataset = create(any_container, "s", None)
    version = import_text(any_container, dataset.id, JSONL, "jsonl")
    assert (version.version, version.item_count, version.note) == (1, 2, "imported (jsonl)")
    items = items_of(any_container, dataset.id)[1]
    assert [(i.name, i.input, i.expected) for i in items] == [
        ("neg", {"text": "It broke."}, "negative"),
        ("case-0002", {"text": "Fine.", "lang": "en"}, None),
    ]
    metadata = items[0].metadata
    assert (metadata.category, metadata.difficulty, metadata.features_tested) == (
        "product",
        "easy",
        ["x"],
    )


CSV = (
    "name,text,expected,category,difficulty,features_tested,tone\r\n"
    'first,"Hello, world",greeting,chat,easy,comma quoting,warm\r\n'
    ',"two\nlines",,,,,\r\n'
    ",,,,,,\r\n"
)


def test_import_csv_maps_columns_to_fields_and_input_variables(any_container: Container) -> None:
    dataset = create(any_container, "s", [item("old")])
    version = import_text(any_container, dataset.id, CSV, "csv", mode="append", note="csv")
    assert (version.version, version.item_count, version.note) == (2, 3, "csv")
    old, first, second = items_of(any_container, dataset.id)[1]
    assert old.input == {"text": "old"}
    assert (first.name, first.input, first.expected) == (
        "first",
        {"text": "Hello, world", "tone": "warm"},
        "greeting",
    )
    assert first.metadata.model_dump() == {
        "category": "chat",
        "difficulty": "easy",
        "features_tested": ["comma", "quoting"],
    }
    assert (second.name, second.input, second.expected) == (
        "case-0003",
        {"text": "two\nlines", "tone": ""},
        None,
    )


@pytest.mark.parametrize(
    ("fmt", "text", "errors"),
    [
        (
            "jsonl",
            '{"input": {"a": 1}}\n{"input": "not an object"}\n{"name": "x"}\n',
            ["line 2", "line 3"],
        ),
        ("jsonl", '{"input": {}}\n{oops\n', ["line 2"]),
        (
            "jsonl",
            '{"input": {}, "metadata": {"difficulty": "brutal"}}\n{"input": {}, "extra": 1}\n',
            ["line 1", "line 2"],
        ),
        ("jsonl", '{"name": "a", "input": {}}\n{"name": "a", "input": {}}\n', ["line 2"]),
        ("csv", "name,text\nok,1\nbad\n", ["line 3"]),
        ("csv", 'text\n"one\ntwo"\n"x",y\n', ["line 4"]),
        ("csv", "text,text\n1,2\n", ["line 1"]),
    ],
)
def test_a_bad_line_rejects_the_whole_import(
    any_container: Container, fmt: bulk_import.Format, text: str, errors: list[str]
) -> None:
    dataset = create(any_container, "s", [item("keep")])
    with pytest.raises(ValidationFailed, match="nothing was") as rejected:
        import_text(any_container, dataset.id, text, fmt)
    assert [e["field"] for e in rejected.value.errors] == errors
    assert read(any_container, lambda uow: service.get_dataset(uow, OWNER, dataset.id)) == dataset
    assert count(any_container, DatasetVersionRow) == 1
    assert count(any_container, DatasetItemRow) == 1


def test_items_are_paged_in_position_order(any_container: Container) -> None:
    dataset = create(any_container, "s", [item(str(n)) for n in range(7)])

    def page(offset: int) -> Any:
        return read(
            any_container,
            lambda uow: service.list_items(uow, OWNER, dataset.id, 1, offset=offset, limit=3),
        )

    seen, offset, pages = [], 0, 0
    while offset is not None:
        current = page(offset)
        assert current.total == 7
        seen += [i.input["text"] for i in current.items]
        offset, pages = current.next_offset, pages + 1
    assert (seen, pages) == ([str(n) for n in range(7)], 3)


def test_items_are_written_with_one_executemany(any_container: Container) -> None:
    dataset = create(any_container, "s", None)
    lines = "".join(f'{{"input": {{"n": {n}}}}}\n' for n in range(500))
    with recorded_statements(any_container.database.engine) as statements:
        import_text(any_container, dataset.id, lines, "jsonl")
    inserts = [s for s in statements if s.startswith("INSERT INTO dataset_items")]
    assert len(inserts) == 1
    assert items_of(any_container, dataset.id)[0].item_count == 500


def test_examples_install_three_datasets_and_prompts_once(any_container: Container) -> None:
    created = write(any_container, lambda uow: examples.install_examples(uow, OWNER))
    assert created == [
        *("sentiment", "sentiment-classifier", "extraction", "person-extractor"),
        *("arithmetic", "arithmetic-solver"),
    ]
    for name in ("sentiment", "extraction", "arithmetic"):
        dataset = read(any_container, lambda uow, n=name: service.resolve_dataset(uow, OWNER, n))
        info, items = items_of(any_container, dataset.id)
        assert info.item_count == len(items) >= 40
        assert all(i.expected and "text" in i.input for i in items)
    prompt = read(
        any_container,
        lambda uow: versions.resolve_by_name(
            uow, OWNER, "sentiment-classifier", label="production"
        ),
    )
    assert (prompt.version, prompt.status) == (1, "active")
    assert "{{text}}" in prompt.content

    assert write(any_container, lambda uow: examples.install_examples(uow, OWNER)) == []
    assert count(any_container, DatasetRow) == 3
    assert count(any_container, PromptRow) == 3
    assert count(any_container, DatasetVersionRow) == 3


def test_examples_fill_in_only_what_is_missing(any_container: Container) -> None:
    create(any_container, "sentiment", [item("my own")])
    prompt = PromptCreate(name="arithmetic-solver", title="Mine", content="Q: {{text}}")
    write(any_container, lambda uow: create_prompt(uow, OWNER, prompt))

    created = write(any_container, lambda uow: examples.install_examples(uow, OWNER))

    assert "sentiment" not in created
    assert "arithmetic-solver" not in created
    assert {"sentiment-classifier", "extraction", "arithmetic"} <= set(created)
    mine = read(any_container, lambda uow: service.resolve_dataset(uow, OWNER, "sentiment"))
    assert mine.latest is not None
    assert mine.latest.item_count == 1


def test_delete_cascades_to_versions_and_items_and_keeps_evaluations(
    any_container: Container,
) -> None:
    dataset = create(any_container, "s", [item("a"), item("b")])
    new_version(any_container, dataset.id, mode="append", items=[item("c")])
    prompt = PromptCreate(name="p", title="p", content="{{text}}")
    prompt_id = write(any_container, lambda uow: create_prompt(uow, OWNER, prompt)).id
    assert dataset.latest is not None
    version_id = dataset.latest.id

    def evaluate(uow: UnitOfWork) -> str:
        row = EvaluationRow(
            project_id=OWNER,
            prompt_id=prompt_id,
            prompt_version=1,
            dataset_version_id=version_id,
            provider="local",
            model="m",
        )
        uow.session.add(row)
        uow.session.flush()
        return row.id

    evaluation_id = write(any_container, evaluate)

    write(any_container, lambda uow: service.delete_dataset(uow, OWNER, dataset.id))

    assert count(any_container, DatasetVersionRow) == 0
    assert count(any_container, DatasetItemRow) == 0
    kept = read(any_container, lambda uow: uow.session.get(EvaluationRow, evaluation_id))
    assert kept is not None
    assert kept.dataset_version_id is None
    with pytest.raises(NotFoundError):
        read(any_container, lambda uow: service.get_dataset(uow, OWNER, dataset.id))


def test_another_owner_sees_nothing(any_container: Container) -> None:
    dataset = create(any_container, "shared-name", [item("a")])
    bob = "bob"
    page = read(any_container, lambda uow: service.list_datasets(uow, bob), bob)
    assert page.items == []
    attempts: list[Callable[[UnitOfWork], object]] = [
        lambda uow: service.get_dataset(uow, bob, dataset.id),
        lambda uow: service.resolve_dataset(uow, bob, "shared-name"),
        lambda uow: service.version_items(uow, bob, dataset.id, None),
        lambda uow: service.list_versions(uow, bob, dataset.id),
    ]
    for attempt in attempts:
        with pytest.raises(NotFoundError):
            read(any_container, attempt, bob)
    with pytest.raises(NotFoundError):
        write(any_container, lambda uow: service.delete_dataset(uow, bob, dataset.id), bob)
    with pytest.raises(NotFoundError):
        new_version_as(any_container, bob, dataset.id)
    # Bob's own dataset may take the same name.
    assert create(any_container, "shared-name", None, owner=bob).name == "shared-name"
    assert count(any_container, DatasetRow) == 2


def new_version_as(container: Container, owner: str, dataset_id: str) -> DatasetVersionInfo:
    data = DatasetVersionCreate(items=[item("x")])
    return write(container, lambda uow: service.create_version(uow, owner, dataset_id, data), owner)


def test_names_versions_and_lookups(any_container: Container) -> None:
    dataset = create(any_container, "s", [item("a")])
    with pytest.raises(ConflictError):
        create(any_container, "s", None)
    for _ in range(3):
        new_version(any_container, dataset.id, mode="append", items=[item("more")])
    page = read(any_container, lambda uow: service.list_versions(uow, OWNER, dataset.id, limit=3))
    assert [v.item_count for v in page.items] == [4, 3, 2]
    assert page.next_before == 2
    by_id = read(any_container, lambda uow: service.resolve_dataset(uow, OWNER, dataset.id))
    assert by_id.latest_version == 4
    with pytest.raises(NotFoundError, match="versions 1 to 4, not 9"):
        items_of(any_container, dataset.id, 9)
