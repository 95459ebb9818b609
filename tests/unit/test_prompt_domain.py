"""The pure rules of the prompt aggregate: lifecycle, names, tags, diffs, cursors, events."""

from __future__ import annotations

import base64
import uuid
from datetime import UTC, datetime

import pytest

from autoforge.errors import ConflictError, ValidationFailed
from autoforge.events.base import rebuild
from autoforge.prompts import domain
from autoforge.prompts.bulk_import import time_ordered_ids
from autoforge.prompts.domain import Cursor


@pytest.mark.parametrize(
    ("current", "target"),
    [("draft", "active"), ("draft", "archived"), ("active", "archived"), ("archived", "active")],
)
def test_allowed_transitions_report_a_change(current: str, target: str) -> None:
    assert domain.check_transition(current, target) is True


@pytest.mark.parametrize("status", domain.STATUSES)
def test_moving_to_the_current_status_is_a_no_op(status: str) -> None:
    assert domain.check_transition(status, status) is False


@pytest.mark.parametrize(("current", "target"), [("active", "draft"), ("archived", "draft")])
def test_nothing_returns_to_draft(current: str, target: str) -> None:
    with pytest.raises(ConflictError) as caught:
        domain.check_transition(current, target)
    assert caught.value.status == 409
    assert f"from {current} to {target}" in caught.value.detail


def test_unknown_status_is_a_validation_error() -> None:
    with pytest.raises(ValidationFailed) as caught:
        domain.check_transition("draft", "published")
    assert caught.value.errors[0]["field"] == "status"


@pytest.mark.parametrize("name", ["support-reply", "a", "v1.2_final", "X" * 200])
def test_url_safe_names_are_accepted(name: str) -> None:
    assert domain.validate_name(name) == name


@pytest.mark.parametrize("name", ["", "-lead", "has space", "a/b", "p:x", "X" * 201, "é"])
def test_names_that_break_urls_are_refused(name: str) -> None:
    with pytest.raises(ValueError, match="1-200 characters"):
        domain.validate_name(name)


@pytest.mark.parametrize("label", ["Production", "", "prod env", "x" * 65])
def test_bad_labels_are_refused(label: str) -> None:
    with pytest.raises(ValueError, match="lowercase"):
        domain.validate_label(label)


def test_tags_are_normalized_deduplicated_and_sorted() -> None:
    assert domain.normalize_tags([" Support", "email", "support", "team/care"]) == [
        "email",
        "support",
        "team/care",
    ]


def test_bad_tags_are_refused() -> None:
    with pytest.raises(ValueError, match="invalid tag"):
        domain.normalize_tags(["ok", "not ok"])
    with pytest.raises(ValueError, match="at most"):
        domain.normalize_tags([f"t{i}" for i in range(domain.MAX_TAGS + 1)])


def test_unified_diff_shows_changed_lines_with_version_headers() -> None:
    diff = domain.unified_diff("a\nb\nc", "a\nB\nc", 2, 5)
    assert diff.splitlines()[:2] == ["--- v2", "+++ v5"]
    assert "-b\n" in diff
    assert "+B\n" in diff
    assert diff.endswith("\n")


def test_diff_of_equal_texts_is_empty() -> None:
    assert domain.unified_diff("same", "same", 1, 1) == ""


def test_like_escaping_makes_wildcards_literal() -> None:
    assert domain.escape_like("100%_a\\b") == "100\\%\\_a\\\\b"


def test_cursor_round_trips_and_is_opaque() -> None:
    cursor = Cursor(datetime(2026, 1, 2, 3, 4, 5, 6, tzinfo=UTC), "abc")
    token = cursor.encode()
    assert "abc" not in token
    assert Cursor.decode(token) == cursor


@pytest.mark.parametrize(
    "token",
    [
        "not-base64!!",
        base64.urlsafe_b64encode(b'{"a": 1}').decode(),
        base64.urlsafe_b64encode(b'["yesterday", "id"]').decode(),
        base64.urlsafe_b64encode(b'["2026-01-02T03:04:05.000006Z", 7]').decode(),
        base64.urlsafe_b64encode(b"\xff\xfe").decode(),
    ],
)
def test_foreign_cursors_are_a_validation_error(token: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        Cursor.decode(token)
    assert caught.value.errors == [{"field": "cursor", "message": "invalid cursor"}]


def test_prompt_events_belong_to_the_prompt_stream_and_rebuild() -> None:
    event = domain.PromptUpdated(prompt_id="p1", owner_id="u", version=3, changed=("content",))
    assert event.stream_id == "prompt-p1"
    again = rebuild(event.event_type, event.event_id, event.occurred_at, event.payload())
    assert isinstance(again, domain.PromptUpdated)
    assert again.version == 3


def test_import_event_uses_a_per_owner_stream() -> None:
    event = domain.PromptsImported(owner_id="u", import_id="i", created=("a",), updated=())
    assert event.stream_id == "prompt-imports-u"


def test_bulk_ids_are_unique_time_ordered_uuid7() -> None:
    ids = time_ordered_ids(1000)
    assert len(set(ids)) == 1000
    assert ids == sorted(ids)
    parsed = uuid.UUID(ids[0])
    assert parsed.version == 7
    assert parsed.variant == uuid.RFC_4122
