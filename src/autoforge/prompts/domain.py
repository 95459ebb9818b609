"""Rules of the prompt aggregate: status lifecycle, names, labels, tags, diffs, cursors, events.

Pure: imports neither SQLAlchemy nor FastAPI, so the CLI, the API and tests share one truth.
"""

from __future__ import annotations

import base64
import binascii
import difflib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import ClassVar, Protocol, TypeVar

from autoforge.errors import ConflictError, ValidationFailed
from autoforge.events.base import DomainEvent, register

STATUSES = ("draft", "active", "archived")

# The lifecycle: a draft is published (active) or abandoned (archived); an active prompt is
# archived; an archived prompt may be brought back to active. Nothing returns to draft: once
# published, a prompt's history is public and "draft" would misdescribe it.
TRANSITIONS: dict[str, frozenset[str]] = {
    "draft": frozenset({"active", "archived"}),
    "active": frozenset({"archived"}),
    "archived": frozenset({"active"}),
}

NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$")
LABEL_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
TAG_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._/-]{0,49}$")
MAX_TAGS = 20
# Kept by the server on the newest version of every prompt (computed when read, never
# stored): no one sets or removes it, and resolving it gives the newest version.
LATEST_LABEL = "latest"
KINDS = ("text", "chat")
DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
# Bounds every version number we accept, so no input overflows a 64-bit SQLite integer.
MAX_VERSION = 1_000_000_000


def check_transition(current: str, target: str) -> bool:
    """True if the status changes, False for a no-op; raises ConflictError if not allowed."""
    if target not in STATUSES:
        raise ValidationFailed(
            f"unknown status {target!r}",
            errors=[{"field": "status", "message": f"must be one of {', '.join(STATUSES)}"}],
        )
    if current == target:
        return False
    if target not in TRANSITIONS[current]:
        allowed = ", ".join(sorted(TRANSITIONS[current])) or "none"
        raise ConflictError(
            f"a prompt cannot go from {current} to {target} (allowed from {current}: {allowed})",
            current_status=current,
        )
    return True


def validate_name(name: str) -> str:
    """Names appear in URLs (`/prompts/by-name/{name}`), so they stay URL-safe."""
    if not NAME_PATTERN.fullmatch(name):
        raise ValueError(
            "must be 1-200 characters of letters, digits, '.', '_' or '-', "
            "starting with a letter or digit"
        )
    return name


def validate_prompt_name(name: str) -> str:
    """A prompt name may be a folder path (`team/support-reply`), as Langfuse allows: each
    `/`-separated segment follows the name rule, so no empty segment and no leading or
    trailing slash."""
    if len(name) > 200 or not all(NAME_PATTERN.fullmatch(part) for part in name.split("/")):
        raise ValueError(
            "must be 1-200 characters of letters, digits, '.', '_' or '-', starting with a "
            "letter or digit; '/' separates folders (no leading, trailing or double '/')"
        )
    return name


def validate_chat_content(content: str) -> str:
    """A chat prompt's content is a JSON list of messages: `{role, content}` or a
    placeholder `{type: "placeholder", name}`."""
    try:
        messages = json.loads(content)
    except ValueError:
        raise ValueError("a chat prompt's content must be a JSON list of messages") from None
    if not isinstance(messages, list) or not all(_is_message(m) for m in messages):
        raise ValueError(
            'a chat prompt\'s content must be a JSON list of {"role", "content"} messages '
            'or {"type": "placeholder", "name"} placeholders'
        )
    return content


def _is_message(message: object) -> bool:
    if not isinstance(message, dict):
        return False
    if message.get("type") == "placeholder":
        return isinstance(message.get("name"), str)
    return isinstance(message.get("role"), str) and isinstance(message.get("content"), str)


T = TypeVar("T")


def no_nul(text: str) -> str:
    """SQLite stores NUL characters, but the driver cuts text at the first one when reading
    it back: refuse them rather than lose the rest of a prompt."""
    if "\x00" in text:
        raise ValueError("must not contain NUL (\\u0000) characters")
    return text


def no_lone_surrogates(value: T) -> T:
    """JSON may spell lone surrogates (`"\\ud800"`), which are not Unicode: the database
    cannot store them as text and no response could carry them back. Refused up front."""
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("must not contain lone surrogates (\\ud800-\\udfff)") from None
    return value


def validate_label(label: str) -> str:
    if not LABEL_PATTERN.fullmatch(label):
        raise ValueError(
            "must be 1-64 lowercase letters, digits, '.', '_' or '-', "
            "starting with a letter or digit"
        )
    if label == LATEST_LABEL:
        raise ValueError("`latest` is kept by the server on the newest version")
    return label


def tag_filter(value: str | None) -> str | None:
    """A tag to filter by, normalized as stored tags are (REST and GraphQL alike)."""
    return None if value is None else value.strip().lower()


def normalize_tags(tags: list[str]) -> list[str]:
    """Lower-cased, stripped, de-duplicated and sorted, so equal tag sets compare equal."""
    cleaned = sorted({tag.strip().lower() for tag in tags})
    bad = [tag for tag in cleaned if not TAG_PATTERN.fullmatch(tag)]
    if bad:
        raise ValueError(
            f"invalid tag {bad[0]!r}: 1-50 lowercase letters, digits, '.', '_', '/' or '-'"
        )
    if len(cleaned) > MAX_TAGS:
        raise ValueError(f"at most {MAX_TAGS} tags")
    return cleaned


def unified_diff(old: str, new: str, old_version: int, new_version: int) -> str:
    lines = difflib.unified_diff(
        old.splitlines(keepends=True),
        new.splitlines(keepends=True),
        fromfile=f"v{old_version}",
        tofile=f"v{new_version}",
    )
    # A last line without a newline would glue onto the next hunk header; end every line.
    return "".join(line if line.endswith("\n") else line + "\n" for line in lines)


def escape_like(text: str) -> str:
    r"""Makes `%`, `_` and `\` match themselves in a LIKE pattern using ESCAPE '\'."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


@dataclass(frozen=True)
class ListFilters:
    """What a listing (or an export) selects among one owner's prompts."""

    status: str | None = None
    tag: str | None = None
    label: str | None = None
    text: str | None = None
    include_deleted: bool = False


def _invalid_cursor() -> ValidationFailed:
    return ValidationFailed(
        "the cursor is not one this API issued",
        errors=[{"field": "cursor", "message": "invalid cursor"}],
    )


_CURSOR_TIME = "%Y-%m-%dT%H:%M:%S.%fZ"


@dataclass(frozen=True)
class Cursor:
    """A position in a listing: the last row seen, by (created_at, id). Opaque to clients."""

    created_at: datetime
    id: str

    def encode(self) -> str:
        stamp = self.created_at.astimezone(UTC).strftime(_CURSOR_TIME)
        raw = json.dumps([stamp, self.id], separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def at(cls, stamp: str, row_id: str) -> Cursor:
        """The position of a row whose created_at is still in stored text form."""
        return cls(datetime.strptime(stamp, _CURSOR_TIME).replace(tzinfo=UTC), row_id)

    @classmethod
    def decode(cls, token: str) -> Cursor:
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
            stamp, row_id = json.loads(raw)
            created_at = datetime.strptime(stamp, _CURSOR_TIME).replace(tzinfo=UTC)
        except (binascii.Error, ValueError, TypeError, UnicodeDecodeError):
            raise _invalid_cursor() from None
        if not isinstance(row_id, str):
            raise _invalid_cursor()
        return cls(created_at=created_at, id=row_id)


class Listed(Protocol):
    created_at: datetime
    id: str


L = TypeVar("L", bound=Listed)


def keyset_page(rows: Sequence[L], limit: int) -> tuple[list[L], str | None]:
    """A page from `limit + 1` rows fetched newest first: the first `limit`, and the cursor
    to the next page if the extra row says there is one."""
    page = list(rows[:limit])
    more = len(rows) > limit
    return page, Cursor(page[-1].created_at, page[-1].id).encode() if more and page else None


@dataclass(frozen=True, kw_only=True)
class PromptEvent(DomainEvent):
    """Every prompt event belongs to the stream of its prompt."""

    prompt_id: str
    owner_id: str
    stream_prefix: ClassVar[str] = "prompt"

    @property
    def stream_id(self) -> str:
        return f"prompt-{self.prompt_id}"


@register
@dataclass(frozen=True, kw_only=True)
class PromptCreated(PromptEvent):
    name: str
    version: int
    template_id: str | None = None


@register
@dataclass(frozen=True, kw_only=True)
class PromptUpdated(PromptEvent):
    version: int
    changed: tuple[str, ...]


@register
@dataclass(frozen=True, kw_only=True)
class PromptStatusChanged(PromptEvent):
    from_status: str
    to_status: str


@register
@dataclass(frozen=True, kw_only=True)
class PromptDeleted(PromptEvent):
    hard: bool


@register
@dataclass(frozen=True, kw_only=True)
class PromptRestored(PromptEvent):
    pass


@register
@dataclass(frozen=True, kw_only=True)
class PromptLabelSet(PromptEvent):
    """`version` None means the label was removed."""

    label: str
    version: int | None


@register
@dataclass(frozen=True, kw_only=True)
class PromptRolledBack(PromptEvent):
    to_version: int
    new_version: int


@register
@dataclass(frozen=True, kw_only=True)
class PromptsImported(DomainEvent):
    """One event per import batch: ten thousand per-prompt events would swamp the outbox."""

    owner_id: str
    import_id: str
    created: tuple[str, ...]
    updated: tuple[str, ...]
    stream_prefix: ClassVar[str] = "prompt-imports"

    @property
    def stream_id(self) -> str:
        return f"prompt-imports-{self.owner_id}"
